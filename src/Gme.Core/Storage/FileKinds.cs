using System.Runtime.InteropServices;

namespace Gme.Core.Storage;

/// <summary>
/// Tells the kind of a path BEFORE it is opened. .NET reports FIFOs, sockets and devices as ordinary files, and
/// opening a FIFO for reading blocks until a writer appears, so on Linux the type comes from statx(2), whose buffer
/// layout is the same on every architecture. Elsewhere the file attributes are used (Windows marks devices).
/// </summary>
public static partial class FileKinds
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxType = 0x1;
    private const int StatxBufferSize = 256;
    private const int StatxModeOffset = 28;
    private const int ENOENT = 2;
    private const int ENOTDIR = 20;

    private static bool s_statxMissing;

    /// <summary>The kind of <paramref name="path"/>, without following a link in its last component.</summary>
    public static FileKind Of(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (OperatingSystem.IsLinux() && !s_statxMissing)
        {
            try
            {
                return OfLinux(path);
            }
            catch (EntryPointNotFoundException)
            {
                // A C library without statx (old musl): fall back to the attributes, and say so once here.
                s_statxMissing = true;
            }
        }

        var info = new FileInfo(path);
        if (!info.Exists && !Directory.Exists(path))
        {
            return info.LinkTarget is null ? FileKind.Missing : FileKind.Link;
        }

        var attributes = info.Attributes;
        return attributes.HasFlag(FileAttributes.ReparsePoint) || info.LinkTarget is not null ? FileKind.Link
            : attributes.HasFlag(FileAttributes.Directory) ? FileKind.Directory
            : attributes.HasFlag(FileAttributes.Device) ? FileKind.Special
            : FileKind.Regular;
    }

    private static FileKind OfLinux(string path)
    {
        var buffer = new byte[StatxBufferSize];
        if (Statx(AtFdCwd, path, AtSymlinkNoFollow, StatxType, buffer) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            return errno is ENOENT or ENOTDIR ? FileKind.Missing : throw new IOException($"cannot inspect {path} (errno {errno})");
        }

        var mode = BitConverter.ToUInt16(buffer, StatxModeOffset) & 0xF000;
        return mode switch
        {
            0x8000 => FileKind.Regular,
            0x4000 => FileKind.Directory,
            0xA000 => FileKind.Link,
            _ => FileKind.Special,
        };
    }

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int Statx(int dirFd, string path, int flags, uint mask, [Out] byte[] buffer);
}
