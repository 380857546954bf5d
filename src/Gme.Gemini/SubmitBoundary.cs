namespace Gme.Gemini;

/// <summary>The points of a submission where a crash leaves different remote state; tests inject crashes here.</summary>
public enum SubmitBoundary
{
    BeforeUpload,
    AfterUpload,
    AfterCreate,
}
