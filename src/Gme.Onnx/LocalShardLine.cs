namespace Gme.Onnx;

/// <summary>One line of a local shard file: what the model needs for one product.</summary>
/// <param name="Image">Absolute path, so the job does not depend on the working directory of whoever runs it.</param>
internal sealed record LocalShardLine(string Key, string Text, string Image);
