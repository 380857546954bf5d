namespace Gme.Core.Storage;

/// <summary>Why <see cref="ConfinedPath.Check"/> refused a path.</summary>
public enum ConfinementRefusal
{
    /// <summary>The path itself (absolute, or after applying <c>..</c>) is outside the root.</summary>
    OutsideRoot,

    /// <summary>The path is inside the root by name, but a symbolic link on the way leads outside it.</summary>
    LinkOutsideRoot,
}
