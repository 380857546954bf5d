using System.ComponentModel.DataAnnotations;

namespace Gme.Onnx;

/// <summary>Settings of the local ONNX provider (section <c>Gme:LocalModel</c>).</summary>
public sealed class LocalModelOptions
{
    public const string SectionName = "Gme:LocalModel";

    /// <summary>Threads one model run may use; defaults to every core because a shard runs one model call at a time.</summary>
    [Range(1, 1024)]
    public int IntraOpNumThreads { get; set; } = Environment.ProcessorCount;

    /// <summary>Texts per MiniLM run: larger batches amortise the call overhead, smaller ones pad less.</summary>
    [Range(1, 1024)]
    public int TextBatchSize { get; set; } = 32;

    /// <summary>Tokens per text, [CLS] and [SEP] included; all-MiniLM-L6-v2 was trained on 256 and accepts at most 512.</summary>
    [Range(3, 512)]
    public int MaxTokens { get; set; } = 256;

    /// <summary>
    /// The text model. It is part of the model id recorded with every vector, so a data dir built with one is refused
    /// (exit 2) by a run that asks for the other rather than mixing two vector spaces.
    /// </summary>
    public LocalTextModel TextModel { get; set; } = LocalTextModel.ArcticXs;
}
