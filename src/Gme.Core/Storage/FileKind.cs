namespace Gme.Core.Storage;

/// <summary>What a path names, as far as reading it is concerned.</summary>
public enum FileKind
{
    Missing,
    Regular,
    Directory,

    /// <summary>A FIFO, socket, character or block device: opening or reading it can block or never end.</summary>
    Special,

    /// <summary>A symbolic link (the probe does not follow the last component).</summary>
    Link,
}
