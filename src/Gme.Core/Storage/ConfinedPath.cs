namespace Gme.Core.Storage;

/// <summary>
/// Keeps file paths that come from data (a catalogue's image column, a ledger row) inside one folder. A path is
/// inside only if its real location is: <c>..</c> segments are applied, and symbolic links are followed at every
/// component, as the kernel would when opening it, before comparing with the real root. The comparison uses a
/// separator-terminated prefix, so <c>/data/cat2</c> is not inside <c>/data/cat</c>.
/// </summary>
public static class ConfinedPath
{
    /// <summary>Links followed while resolving one path; the kernel gives up at 40 as well (ELOOP).</summary>
    private const int MaxLinks = 40;

    private static readonly StringComparison s_comparison =
        OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

    /// <summary>Why a path is refused, or null when its real location is inside <paramref name="root"/>.</summary>
    /// <param name="root">The folder the path must stay in.</param>
    /// <param name="fullPath">An absolute path.</param>
    /// <param name="realPath">The path with every link resolved; only meaningful when null is returned.</param>
    public static ConfinementRefusal? Check(string root, string fullPath, out string realPath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        ArgumentException.ThrowIfNullOrWhiteSpace(fullPath);
        realPath = fullPath;
        var lexicalRoot = Path.GetFullPath(root);
        var lexical = Path.GetFullPath(fullPath);
        if (!IsInside(lexicalRoot, lexical))
        {
            return ConfinementRefusal.OutsideRoot;
        }

        try
        {
            realPath = RealPath(lexical);
            return IsInside(RealPath(lexicalRoot), realPath) ? null : ConfinementRefusal.LinkOutsideRoot;
        }
        catch (IOException)
        {
            // A link loop or an unreadable link: nothing safe to open.
            return ConfinementRefusal.LinkOutsideRoot;
        }
        catch (UnauthorizedAccessException)
        {
            return ConfinementRefusal.LinkOutsideRoot;
        }
    }

    /// <summary>True when <paramref name="path"/> lies strictly below <paramref name="root"/> (both absolute and normalised).</summary>
    public static bool IsInside(string root, string path)
    {
        var prefix = Path.EndsInDirectorySeparator(root) ? root : root + Path.DirectorySeparatorChar;
        return path.Length > prefix.Length && path.StartsWith(prefix, s_comparison);
    }

    /// <summary>
    /// The path with every symbolic link resolved, component by component (realpath(3) semantics: a <c>..</c> after
    /// a link leaves the link's target, not the link). Components that do not exist are kept as they are.
    /// </summary>
    public static string RealPath(string fullPath)
    {
        var full = Path.GetFullPath(fullPath);
        var current = Path.GetPathRoot(full) ?? throw new ArgumentException("expected an absolute path", nameof(fullPath));
        var pending = new Stack<string>(Components(full[current.Length..]).Reverse());
        var links = 0;
        while (pending.TryPop(out var name))
        {
            if (name is "" or ".")
            {
                continue;
            }

            if (name == "..")
            {
                current = Path.GetDirectoryName(current) ?? current;
                continue;
            }

            var next = Path.Join(current, name);
            var target = new FileInfo(next).LinkTarget;
            if (target is null)
            {
                current = next;
                continue;
            }

            if (++links > MaxLinks)
            {
                throw new IOException($"more than {MaxLinks} symbolic links in {fullPath}");
            }

            // Restart from the target: an absolute one from its root, a relative one from the link's folder.
            if (Path.IsPathRooted(target))
            {
                current = Path.GetPathRoot(target)!;
                target = target[current.Length..];
            }

            foreach (var part in Components(target).Reverse())
            {
                pending.Push(part);
            }
        }

        return current;
    }

    private static IEnumerable<string> Components(string relative) =>
        relative.Split(Path.DirectorySeparatorChar == Path.AltDirectorySeparatorChar
            ? [Path.DirectorySeparatorChar]
            : [Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar]);
}
