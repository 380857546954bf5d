namespace Gme.Core.Ledger;

/// <summary>
/// One version of a collection's index: a physical collection in the vector store (<see cref="Physical"/>) built with
/// one vector identity (<see cref="Provider"/>, <see cref="ModelId"/>, which carries the model and its sizes), and
/// whether searches are answered from it. The ledger holds it, not the store: it must be written in the same
/// transactions as the runs that build versions, both stores need it (Qdrant keeps no metadata of ours beside
/// aliases), and `gme collections list` reads it with the gate's result.
/// <para>
/// Lifecycle: the row is created <see cref="CollectionVersionState.Building"/> by the run starter (the initial insert,
/// like a run's) or <see cref="Adopt"/>ed as the live version 1 of a data dir that predates versions; every later
/// change goes through the methods below, which only IndexVersions (Gme.Pipeline) calls: it is the one owner of
/// version state and the one that moves the store's alias. Others (validation, the CLI) ask it.
/// </para>
/// </summary>
public sealed class CollectionVersionEntity
{
    private CollectionVersionState _state;
    private string _physical = "";

    /// <summary>The logical collection (the alias searches use).</summary>
    public required string Collection { get; init; }

    public int Version { get; init; }

    /// <summary>The physical collection in the store: NAME__vN, or NAME itself for a data dir built before versions.</summary>
    public required string Physical
    {
        get => _physical;
        init => _physical = value;
    }

    public required string Provider { get; init; }

    public required string ModelId { get; init; }

    /// <summary>The run that builds this version; null for an adopted one.</summary>
    public Guid? BuildRunId { get; init; }

    public CollectionVersionState State
    {
        get => _state;
        init => _state = value;
    }

    public DateTime CreatedAt { get; init; }

    /// <summary>When it last became live.</summary>
    public DateTime? LiveAt { get; private set; }

    /// <summary>Points it held when it was validated.</summary>
    public long? Points { get; private set; }

    /// <summary>The quality gate's decision: null before it ran (or for an adopted version).</summary>
    public bool? GatePassed { get; private set; }

    /// <summary>The gate's one line (or validation's problems when those stopped it before the gate mattered).</summary>
    public string? GateSummary { get; private set; }

    /// <summary>nDCG@10 the gate measured on it, kept so a later candidate is compared with it (max drop vs live).</summary>
    public double? Ndcg10 { get; private set; }

    public double? Precision10 { get; private set; }

    /// <summary>A new version being built by <paramref name="runId"/>, beside the live one.</summary>
    public static CollectionVersionEntity Begin(string collection, int version, string provider, string modelId, Guid runId, DateTime now) =>
        new()
        {
            Collection = collection,
            Version = version,
            Physical = Vectors.CollectionVersionNames.Physical(collection, version),
            Provider = provider,
            ModelId = modelId,
            BuildRunId = runId,
            State = CollectionVersionState.Building,
            CreatedAt = now,
        };

    /// <summary>The collection a data dir already searches, recorded as its live version (no store change).</summary>
    public static CollectionVersionEntity Adopt(string collection, int version, string physical, string provider, string modelId,
        Guid? runId, DateTime createdAt, DateTime now)
    {
        var adopted = new CollectionVersionEntity
        {
            Collection = collection,
            Version = version,
            Physical = physical,
            Provider = provider,
            ModelId = modelId,
            BuildRunId = runId,
            State = CollectionVersionState.Live,
            CreatedAt = createdAt,
        };
        adopted.LiveAt = now;
        return adopted;
    }

    /// <summary>Validation and the gate passed: it may go live.</summary>
    public void Accept(long points, string gateSummary, double? ndcg10, double? precision10)
    {
        Move(CollectionVersionState.Ready, CollectionVersionState.Building, CollectionVersionState.Ready);
        RecordGate(points, true, gateSummary, ndcg10, precision10);
    }

    /// <summary>Validation or the gate refused it: it never goes live (it stays until pruned, to be looked at).</summary>
    public void Reject(long points, string reason, bool? gatePassed, double? ndcg10, double? precision10)
    {
        Move(CollectionVersionState.Rejected, CollectionVersionState.Building, CollectionVersionState.Rejected);
        RecordGate(points, gatePassed, reason, ndcg10, precision10);
    }

    /// <summary>Searches are answered from it now (its alias was switched; the previous live one steps down).</summary>
    public void GoLive(DateTime now)
    {
        if (_state == CollectionVersionState.Live)
        {
            return;
        }

        Move(CollectionVersionState.Live, CollectionVersionState.Ready);
        LiveAt = now;
    }

    /// <summary>Another version went live; this one stays, for a rollback, until pruned.</summary>
    public void StepDown() => Move(CollectionVersionState.Ready, CollectionVersionState.Live, CollectionVersionState.Ready);

    /// <summary>A data dir's pre-version collection NAME was copied to NAME__v1 so that NAME can become the alias.</summary>
    public void Relocate(string physical)
    {
        if (Vectors.CollectionVersionNames.VersionOf(Collection, physical) != Version)
        {
            throw new InvalidOperationException($"Version {Version} of '{Collection}' cannot move to '{physical}'.");
        }

        _physical = physical;
    }

    /// <summary>
    /// What validation and the gate found, without a state change: a sync run into the live version measures it again
    /// (the figures a later candidate is compared with).
    /// </summary>
    public void RecordGate(long points, bool? gatePassed, string summary, double? ndcg10, double? precision10)
    {
        Points = points;
        GatePassed = gatePassed;
        GateSummary = summary.Length > 1024 ? summary[..1024] : summary;
        Ndcg10 = ndcg10;
        Precision10 = precision10;
    }

    private void Move(CollectionVersionState to, params CollectionVersionState[] from)
    {
        if (!from.Contains(_state))
        {
            throw new InvalidOperationException($"Version {Version} of '{Collection}': cannot go from {_state} to {to}.");
        }

        _state = to;
    }
}

public enum CollectionVersionState
{
    /// <summary>Its run is still embedding and upserting into it.</summary>
    Building = 0,

    /// <summary>Validated and passed the gate, not live (never switched in, or stepped down): `gme collections switch` takes it.</summary>
    Ready = 1,

    /// <summary>The alias points at it.</summary>
    Live = 2,

    /// <summary>Failed validation or the gate; never switched in.</summary>
    Rejected = 3,
}
