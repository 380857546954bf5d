namespace Gme.Pipeline.Doctor;

/// <summary>One problem the doctor found, explained in one line; <paramref name="Repairable"/> says whether --repair fixes it.</summary>
public sealed record DoctorFinding(string Part, string Problem, bool Repairable)
{
    public override string ToString() => $"{Part}: {Problem}{(Repairable ? "" : " (not repaired automatically)")}";
}
