namespace Gme.Tests.Doctor;

/// <summary>The damage kinds to an embedded index folder that the doctor's matrix and its round trips share.</summary>
internal static class IndexFolderDamage
{
    /// <summary>Damages <paramref name="collection"/>'s index under <paramref name="data"/>; false when the kind is not an index one.</summary>
    public static bool TryApply(string data, string collection, string damage)
    {
        var index = Path.Combine(data, "index", collection);
        var log = Path.Combine(index, "points.log");
        switch (damage)
        {
            case "points-log-halved":
                using (var stream = new FileStream(log, FileMode.Open))
                {
                    stream.SetLength(stream.Length / 2);
                }

                return true;
            case "points-log-byte-flipped":
                var bytes = File.ReadAllBytes(log);
                bytes[bytes.Length / 3] ^= 0x5A;
                File.WriteAllBytes(log, bytes);
                return true;
            case "points-log-deleted":
                File.Delete(log);
                return true;
            case "index-deleted":
                Directory.Delete(Path.Combine(data, "index"), recursive: true);
                return true;
            case "collection-json-emptied":
                File.WriteAllText(Path.Combine(index, "collection.json"), "");
                return true;
            default:
                return false;
        }
    }
}
