using Microsoft.ML.OnnxRuntime;
using SessionOptions = Microsoft.ML.OnnxRuntime.SessionOptions;

namespace Gme.Onnx;

/// <summary>Creates inference sessions with the same tuning for every model.</summary>
internal static class OnnxSessions
{
    public static InferenceSession Create(byte[] model, int intraOpThreads)
    {
        // ONNX Runtime copies the options into the session, so they can be released right after creation.
        using var options = CreateOptions(intraOpThreads);
        return new InferenceSession(model, options);
    }

    public static InferenceSession Create(string modelPath, int intraOpThreads)
    {
        if (!File.Exists(modelPath))
        {
            throw new FileNotFoundException(
                $"ONNX model '{modelPath}' is missing. The Microsoft.ML.DnnImageFeaturizer.ResNet18 package copies it into the "
                + "output folder of every project that references Gme.Onnx; rebuild that project.",
                modelPath);
        }

        using var options = CreateOptions(intraOpThreads);
        return new InferenceSession(modelPath, options);
    }

    private static SessionOptions CreateOptions(int intraOpThreads) => new()
    {
        GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        IntraOpNumThreads = intraOpThreads,

        // Every failure of a run comes back to us as an exception, which the pipeline classifies and reports once.
        // ONNX Runtime's own log goes straight to stderr, past our logging: a run cut short by Ctrl-C printed a red
        // "Non-zero status code returned while running MatMul node" after the CLI's one "interrupted:" line.
        LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL,
    };
}
