using Microsoft.ML.OnnxRuntime;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace Gme.Onnx;

/// <summary>
/// ResNet18 image features (ImageNet-trained, 512-d global average pool), run as two ONNX models that ship in the
/// Microsoft.ML.DnnImageFeaturizer.ResNet18 package: a preprocessor (RGB to BGR, mean subtraction) and the network.
/// </summary>
internal sealed class ResNetImageEncoder : IDisposable
{
    public const int Dimensions = 512;
    public const int Side = 224;

    private const string PrepInput = "OriginalInput";
    private const string PrepOutput = "PreprocessedInput";
    private const string NetInput = "Input247";
    private const string NetOutput = "Pooling395_Output_0";
    private static readonly string[] s_prepOutputs = [PrepOutput];
    private static readonly string[] s_netOutputs = [NetOutput];
    private static readonly long[] s_inputShape = [1, 3, Side, Side];

    private readonly Lazy<InferenceSession> _preprocess;
    private readonly Lazy<InferenceSession> _network;

    public ResNetImageEncoder(LocalModelOptions options)
    {
        var models = Path.Combine(AppContext.BaseDirectory, "DnnImageModels");
        var threads = options.IntraOpNumThreads;

        // The preprocessor is a handful of element-wise ops; more than one thread would cost more than it saves.
        _preprocess = new(
            () => OnnxSessions.Create(Path.Combine(models, "ResNetPrepOnnx", "ResNetPreprocess.onnx"), 1),
            LazyThreadSafetyMode.ExecutionAndPublication);
        _network = new(
            () => OnnxSessions.Create(Path.Combine(models, "ResNet18Onnx", "ResNet18.onnx"), threads),
            LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>
    /// Decodes an image file into the planar RGB (0..255) tensor the preprocessor expects. Throws when the file is
    /// missing or not a decodable image; thread-safe, so a shard decodes its images in parallel.
    /// </summary>
    public static float[] LoadPixels(string path)
    {
        using var image = Image.Load<Rgb24>(path);
        return Pixels(image);
    }

    /// <summary>As <see cref="LoadPixels(string)"/>, from an encoded image in memory (a query upload).</summary>
    public static float[] LoadPixels(ReadOnlySpan<byte> encoded)
    {
        using var image = Image.Load<Rgb24>(encoded);
        return Pixels(image);
    }

    private static float[] Pixels(Image<Rgb24> image)
    {
        // Keep the aspect ratio and pad with white rather than centre-crop: catalogue photos are mostly portrait
        // shots of the whole garment on a light studio background, so a crop would cut off the neckline or hem
        // (often what tells products apart) while white padding just extends the background.
        image.Mutate(x => x.Resize(new ResizeOptions
        {
            Size = new Size(Side, Side),
            Mode = ResizeMode.Pad,
            PadColor = Color.White,
        }));

        var pixels = new float[3 * Side * Side];
        image.ProcessPixelRows(accessor =>
        {
            const int Plane = Side * Side;
            for (var y = 0; y < accessor.Height; y++)
            {
                var row = accessor.GetRowSpan(y);
                for (var x = 0; x < row.Length; x++)
                {
                    var offset = (y * Side) + x;
                    pixels[offset] = row[x].R;
                    pixels[Plane + offset] = row[x].G;
                    pixels[(2 * Plane) + offset] = row[x].B;
                }
            }
        });
        return pixels;
    }

    /// <summary>Runs both models on pixels from <see cref="LoadPixels(string)"/>; the vector is not normalised yet.</summary>
    public float[] Embed(float[] pixels)
    {
        var preprocess = _preprocess.Value;
        var network = _network.Value;

        using var runOptions = new RunOptions();
        using var input = OrtValue.CreateTensorValueFromMemory(pixels, s_inputShape);
        using var prepared = preprocess.Run(runOptions, new Dictionary<string, OrtValue> { [PrepInput] = input }, s_prepOutputs);
        using var features = network.Run(runOptions, new Dictionary<string, OrtValue> { [NetInput] = prepared[0] }, s_netOutputs);
        var vector = features[0].GetTensorDataAsSpan<float>();
        if (vector.Length != Dimensions)
        {
            throw new InvalidOperationException($"ResNet18 returned {vector.Length} features; expected {Dimensions}.");
        }

        return vector.ToArray();
    }

    public void Dispose()
    {
        if (_preprocess.IsValueCreated)
        {
            _preprocess.Value.Dispose();
        }

        if (_network.IsValueCreated)
        {
            _network.Value.Dispose();
        }
    }
}
