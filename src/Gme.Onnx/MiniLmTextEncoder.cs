using System.Text;
using FastBertTokenizer;
using Microsoft.ML.OnnxRuntime;

namespace Gme.Onnx;

/// <summary>
/// Sentence embeddings from a 384-d BERT-small model (<see cref="LocalTextModel"/>): word pieces, mean pooling over the
/// attention mask (MiniLM) or the [CLS] state (arctic-embed-xs), unit length. The model and vocabulary ship as
/// resources inside the SentenceTransformers.* assemblies; nothing is downloaded.
/// </summary>
internal sealed class MiniLmTextEncoder : IDisposable
{
    public const int Dimensions = 384;

    private static readonly string[] s_outputNames = ["last_hidden_state"];

    private readonly Lazy<BertTokenizer> _tokenizer;
    private readonly Lazy<InferenceSession> _session;
    private readonly TextModelSpec _model;
    private readonly int _maxTokens;
    private readonly int _batchSize;

    public MiniLmTextEncoder(LocalModelOptions options)
    {
        _model = TextModelSpec.For(options.TextModel);
        _maxTokens = options.MaxTokens;
        _batchSize = options.TextBatchSize;
        var threads = options.IntraOpNumThreads;
        _tokenizer = new(() => LoadTokenizer(_model), LazyThreadSafetyMode.ExecutionAndPublication);
        _session = new(() => OnnxSessions.Create(ReadResource(_model, "model.onnx"), threads), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>What a query is prefixed with before it is embedded (empty for symmetric models).</summary>
    public string QueryPrefix => _model.QueryPrefix;

    /// <summary>Word pieces the model sees for this text, [CLS] and [SEP] included, after truncation.</summary>
    public long[] Tokenize(string text)
    {
        var ids = new long[_maxTokens];
        var mask = new long[_maxTokens];
        var count = _tokenizer.Value.Encode(AccentFolding.Fold(text), ids, mask);
        return ids[..count];
    }

    public float[][] Embed(IReadOnlyList<string> texts, CancellationToken cancellationToken)
    {
        var session = _session.Value;
        var tokens = new long[texts.Count][];
        for (var i = 0; i < texts.Count; i++)
        {
            tokens[i] = Tokenize(texts[i]);
        }

        // Batching texts of similar length keeps padding, which the model computes and then discards, small.
        var order = Enumerable.Range(0, texts.Count).OrderBy(i => tokens[i].Length).ToArray();
        var vectors = new float[texts.Count][];
        for (var start = 0; start < order.Length; start += _batchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var rows = order.AsSpan(start, Math.Min(_batchSize, order.Length - start));
            RunBatch(session, tokens, rows, vectors, _model.ClsPooling);
        }

        return vectors;
    }

    private static void RunBatch(InferenceSession session, long[][] tokens, ReadOnlySpan<int> rows, float[][] vectors, bool clsPooling)
    {
        var sequence = 0;
        foreach (var row in rows)
        {
            sequence = Math.Max(sequence, tokens[row].Length);
        }

        var ids = new long[rows.Length * sequence];
        var mask = new long[ids.Length];
        var types = new long[ids.Length];
        for (var r = 0; r < rows.Length; r++)
        {
            var rowTokens = tokens[rows[r]];
            rowTokens.CopyTo(ids.AsSpan(r * sequence));
            mask.AsSpan(r * sequence, rowTokens.Length).Fill(1);
        }

        long[] shape = [rows.Length, sequence];
        using var idsValue = OrtValue.CreateTensorValueFromMemory(ids, shape);
        using var maskValue = OrtValue.CreateTensorValueFromMemory(mask, shape);
        using var typesValue = OrtValue.CreateTensorValueFromMemory(types, shape);
        var inputs = new Dictionary<string, OrtValue>
        {
            ["input_ids"] = idsValue,
            ["attention_mask"] = maskValue,
            ["token_type_ids"] = typesValue,
        };
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, inputs, s_outputNames);
        var hidden = outputs[0].GetTensorDataAsSpan<float>();

        for (var r = 0; r < rows.Length; r++)
        {
            // Mean pooling over the real tokens only; the division by their count is left out because the
            // normalisation that follows removes any common scale anyway.
            var vector = new float[Dimensions];
            // [CLS] pooling reads the first state only.
            var length = clsPooling ? 1 : tokens[rows[r]].Length;
            for (var t = 0; t < length; t++)
            {
                var state = hidden.Slice(((r * sequence) + t) * Dimensions, Dimensions);
                for (var d = 0; d < Dimensions; d++)
                {
                    vector[d] += state[d];
                }
            }

            if (!VectorMath.TryNormalize(vector))
            {
                throw new InvalidOperationException("The text model produced a zero or non-finite sentence vector.");
            }

            vectors[rows[r]] = vector;
        }
    }

    private static BertTokenizer LoadTokenizer(TextModelSpec model)
    {
        using var reader = new StreamReader(OpenResource(model, "vocab.txt"), Encoding.UTF8);
        var tokenizer = new BertTokenizer();

        // Uncased model: lower-case and strip accents the way the model was trained. Accents are already folded by
        // AccentFolding because the tokenizer's own FormD pass relies on string.Normalize, a no-op under invariant
        // globalization; FormD stays so the tokenizer agrees should that ever change.
        tokenizer.LoadVocabulary(reader, true, "[UNK]", "[CLS]", "[SEP]", "[PAD]", NormalizationForm.FormD);
        return tokenizer;
    }

    private static byte[] ReadResource(TextModelSpec model, string name)
    {
        // Manifest resources are seekable memory streams, so the model is read once into an exact-size array.
        using var stream = OpenResource(model, name);
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return bytes;
    }

    private static Stream OpenResource(TextModelSpec model, string name) =>
        model.Assembly.GetManifestResourceStream(model.ResourcePrefix + name)
        ?? throw new InvalidOperationException($"Resource '{name}' is missing from the {model.Assembly.GetName().Name} assembly.");

    public void Dispose()
    {
        if (_session.IsValueCreated)
        {
            _session.Value.Dispose();
        }
    }
}
