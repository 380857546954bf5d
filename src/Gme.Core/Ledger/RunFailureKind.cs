namespace Gme.Core.Ledger;

/// <summary>
/// Why a run stopped in <see cref="RunStatus.Failed"/>, classified once by the run saga from the stage's fault, so
/// that the CLI and the status API read a kind instead of matching text in <see cref="RunEntity.Error"/>.
/// </summary>
public enum RunFailureKind
{
    /// <summary>Input the user must fix (a <c>BadInputException</c>): exit 2; retrying the same input cannot help.</summary>
    BadInput = 1,

    /// <summary>A stage gave up on a message after its retries (a bug, an outage): exit 1; running again resumes.</summary>
    StageGaveUp = 2,
}
