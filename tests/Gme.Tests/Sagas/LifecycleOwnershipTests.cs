using System.Text.RegularExpressions;

namespace Gme.Tests.Sagas;

/// <summary>
/// One owner per lifecycle, checked on the source: a run's status is the run saga's (RunEntity/RunStateMachine),
/// a shard's state is ShardEntity's, a product's stage and failure are ProductEntity's and an index version's state is
/// CollectionVersionEntity's (whose methods only IndexVersions calls). Any other file that
/// assigns them, in code or in a bulk ExecuteUpdate, fails this test with the file and line.
/// </summary>
public sealed partial class LifecycleOwnershipTests
{
    [Fact]
    public void LifecycleFields_AreAssignedOnlyByTheirOwners()
    {
        var rules = new (Regex Pattern, string Owner, string What)[]
        {
            (RunStatusAssignment(), "RunEntity.cs", "run status"),
            (ShardStateAssignment(), "ShardEntity.cs", "shard state"),
            (ProductLifecycleAssignment(), "ProductEntity.cs", "product stage or failure"),
            (VersionStateAssignment(), "CollectionVersionEntity.cs", "index version state"),
        };

        var offenders = new List<string>();
        var root = RepositoryRoot();
        var files = Directory.EnumerateFiles(Path.Combine(root, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}Migrations{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .ToList();
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            var lines = File.ReadAllLines(file);
            for (var i = 0; i < lines.Length; i++)
            {
                foreach (var (pattern, owner, what) in rules)
                {
                    if (pattern.IsMatch(lines[i]) && Path.GetFileName(file) != owner)
                    {
                        offenders.Add($"{Path.GetRelativePath(root, file)}:{i + 1} sets the {what} (only {owner} may): {lines[i].Trim()}");
                    }
                }
            }
        }

        Assert.Empty(offenders);
    }

    [Theory]
    [InlineData("run.CurrentState = \"Failed\";", 0)]
    [InlineData("run.Status = RunStatus.Paused;", 0)]
    [InlineData("Status = RunStatus.Running,", 0)]
    [InlineData("shard.State = ShardState.Built;", 1)]
    [InlineData(".SetProperty(s => s.State, ShardState.Collecting)", 1)]
    [InlineData("product.Stage = ProductStage.Indexed;", 2)]
    [InlineData("product.Failed = true;", 2)]
    [InlineData(".ExecuteUpdateAsync(s => s.SetProperty(p => p.Stage, ProductStage.Indexed))", 2)]
    [InlineData(".SetProperty(p => p.ShardId, shardId)", 2)]
    [InlineData("product.RemovedInRunId = runId;", 2)]
    [InlineData(".SetProperty(p => p.PurgedAt, now)", 2)]
    [InlineData("State = CollectionVersionState.Live,", 3)]
    [InlineData(".SetProperty(v => v.State, CollectionVersionState.Ready)", 3)]
    public void Patterns_CatchTheAssignmentsTheyGuard(string line, int rule)
    {
        Regex[] patterns = [RunStatusAssignment(), ShardStateAssignment(), ProductLifecycleAssignment(), VersionStateAssignment()];
        Assert.Matches(patterns[rule], line);
    }

    [Theory]
    [InlineData("if (run.Status == RunStatus.Completed)")]
    [InlineData("Where(s => s.State == ShardState.Built)")]
    [InlineData("image.Status = ImageStatus.Ready;")]
    [InlineData("var failed = products.Count(p => p.Failed);")]
    public void Patterns_LeaveReadsAlone(string line)
    {
        Assert.DoesNotMatch(RunStatusAssignment(), line);
        Assert.DoesNotMatch(ShardStateAssignment(), line);
        Assert.DoesNotMatch(ProductLifecycleAssignment(), line);
        Assert.DoesNotMatch(VersionStateAssignment(), line);
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Gme.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Gme.sln not found above the test binaries.");
    }

    [GeneratedRegex(@"\bCurrentState\s*=(?!=)|\bStatus\s*=(?!=)\s*RunStatus\.|SetProperty\(\s*\w+\s*=>\s*\w+\.(Status|CurrentState)\b")]
    private static partial Regex RunStatusAssignment();

    [GeneratedRegex(@"\bState\s*=(?!=)\s*ShardState\.|SetProperty\(\s*\w+\s*=>\s*\w+\.State\s*,\s*ShardState\.")]
    private static partial Regex ShardStateAssignment();

    [GeneratedRegex(@"\.(Stage|Failed|FailedStage|LastChange|RemovedInRunId|PurgedAt)\s*=(?!=)|\bStage\s*=(?!=)\s*ProductStage\.|SetProperty\(\s*\w+\s*=>\s*\w+\.(Stage|Failed|FailedStage|ShardId|VectorFileId|LastChange|RemovedInRunId|PurgedAt)\s*,")]
    private static partial Regex ProductLifecycleAssignment();

    [GeneratedRegex(@"\bState\s*=(?!=)\s*CollectionVersionState\.|SetProperty\(\s*\w+\s*=>\s*\w+\.State\s*,\s*CollectionVersionState\.")]
    private static partial Regex VersionStateAssignment();
}
