using System.Diagnostics;
using Gme.Core.Errors;
using Gme.Core.Sources;
using Gme.Sources;
using Gme.Tests.Support;

namespace Gme.Tests.HostileInput;

/// <summary>
/// Every generated hostile catalogue (<see cref="HostileCatalogues"/>) read through the dataset source layer and the
/// product mapper: it ends in its outcome class within 5 seconds, and no exception other than
/// <see cref="BadInputException"/> (one line, naming the file) escapes.
/// </summary>
public sealed class HostileCatalogueTests
{
    private static readonly TimeSpan s_limit = TimeSpan.FromSeconds(5);

    public static TheoryData<string> CaseNames()
    {
        var data = new TheoryData<string>();
        foreach (var name in HostileCatalogues.Cases.Keys.Order(StringComparer.Ordinal))
        {
            data.Add(name);
        }

        return data;
    }

    [Fact]
    public void Corpus_HasAtLeast500GeneratedCases() => Assert.True(HostileCatalogues.Cases.Count >= 500, $"{HostileCatalogues.Cases.Count} cases");

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task Read_HostileCatalogue_EndsInItsOutcomeClassInTime(string name)
    {
        var hostile = HostileCatalogues.Cases[name];
        using var temp = new TempDirectory();
        var path = Path.GetFullPath(hostile.Create(temp.Path));
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(s_limit);

        var rows = new List<SourceRow>();
        BadInputException? refused = null;
        var stopwatch = Stopwatch.StartNew();
        try
        {
            var source = new DatasetSourceFactory().Open(new SourceSpec { Kind = "file", Location = path });
            await foreach (var row in source.ReadRowsAsync(timeout.Token))
            {
                rows.Add(row);
            }
        }
        catch (BadInputException ex)
        {
            refused = ex;
        }

        stopwatch.Stop();
        Assert.True(stopwatch.Elapsed < s_limit, $"{name} took {stopwatch.Elapsed}");

        var mapper = new ProductMapper(null, temp.Path);
        var rejections = rows.Select(mapper.Map).Where(r => r.Rejection is not null).Select(r => r.Rejection!.Reason).ToList();
        var actual = refused is not null ? Outcome.FileRejected : rejections.Count > 0 ? Outcome.RowsRejected : Outcome.Accepted;
        if (refused is not null)
        {
            Assert.Contains(path, refused.Message, StringComparison.Ordinal);
            Assert.DoesNotContain('\n', refused.Message);
            Assert.False(string.IsNullOrWhiteSpace(refused.Reason));
        }

        Assert.True(rejections.All(r => !string.IsNullOrWhiteSpace(r)), "every rejected row has a reason");
        var evidence = refused?.Message ?? string.Join(" | ", rejections.Take(5));
        if (hostile.Expected != Outcome.Any)
        {
            Assert.True(hostile.Expected == actual, $"{name}: expected {hostile.Expected}, got {actual}: {evidence}");
        }

        if (hostile.Reason is { } reason)
        {
            Assert.Contains(reason, evidence, StringComparison.Ordinal);
        }

        if (hostile.RowCount is { } count)
        {
            Assert.Equal(count, rows.Count);
        }
    }
}
