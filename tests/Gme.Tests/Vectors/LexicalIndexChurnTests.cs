using System.Collections.ObjectModel;
using Gme.Core.Lexical;
using Gme.VectorStores.Embedded;
using Microsoft.Extensions.Options;

namespace Gme.Tests.Vectors;

/// <summary>
/// The embedded lexical index after heavy churn (re-upserts with new words, deletes, slots reused) answers exactly as
/// an index built from the surviving points alone: removed points' postings never score, and IDF counts live points.
/// </summary>
public sealed class LexicalIndexChurnTests
{
    private static readonly string[] s_colours = ["black", "white", "red", "blue", "green"];
    private static readonly string[] s_types = ["dress", "shirt", "trousers", "socks", "jacket", "skirt"];

    [Fact]
    public void ChurnedIndex_SearchesLikeOneBuiltFromTheSurvivors()
    {
        var encoder = new LexicalEncoder(Options.Create(new LexicalOptions()));
        var churned = new LexicalIndex(encoder);
        var random = new Random(7);
        var live = new Dictionary<Guid, IReadOnlyDictionary<string, string?>>();
        var ids = Enumerable.Range(0, 400).Select(i => new Guid(i, 0, 0, new byte[8])).ToArray();
        for (var step = 0; step < 4000; step++)
        {
            var id = ids[random.Next(ids.Length)];
            if (random.NextDouble() < 0.3)
            {
                churned.Apply(LogRecord.Delete(id));
                live.Remove(id);
            }
            else
            {
                var payload = Payload(random);
                churned.Apply(Upsert(id, payload));
                live[id] = payload;
            }
        }

        var fresh = new LexicalIndex(encoder);
        foreach (var (id, payload) in live.OrderBy(p => p.Key))
        {
            fresh.Apply(Upsert(id, payload));
        }

        Assert.InRange(live.Count, 100, 399);
        foreach (var query in s_colours.SelectMany(c => s_types.Select(t => $"{c} {t}")).Append("cotton"))
        {
            var vector = LexicalEncoder.Query(query);
            var expected = fresh.Search(vector, 20, null);
            var actual = churned.Search(vector, 20, null);
            Assert.Equal(expected.Select(h => (h.Id, h.Score)), actual.Select(h => (h.Id, h.Score)));
            Assert.All(actual, h => Assert.True(live.ContainsKey(h.Id), $"'{query}' found removed point {h.Id}"));
        }
    }

    private static Dictionary<string, string?> Payload(Random random) => new(StringComparer.Ordinal)
    {
        ["name"] = $"{s_colours[random.Next(s_colours.Length)]} {s_types[random.Next(s_types.Length)]}",
        ["description"] = random.Next(3) == 0 ? "soft cotton" : "plain weave",
    };

    private static LogRecord Upsert(Guid id, IReadOnlyDictionary<string, string?> payload) =>
        new(LogOperation.Upsert, id, ReadOnlyDictionary<string, float[]>.Empty, payload);
}
