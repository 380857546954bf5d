using Gme.Core.Ledger;
using Gme.Core.Runs;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Gme.Tests.Stages;

public sealed class LedgerStatusImageStatsTests
{
    [Fact]
    public async Task Read_ImagesInTheLedger_ReportsCountsBytesAndRates()
    {
        var run = Guid.NewGuid();
        await using var ctx = await StageTestContext.CreateAsync(_ => { });
        var start = DateTime.UtcNow;
        await using (var db = ctx.Db())
        {
            var seeded = LedgerSeed.Run(run);
            seeded.CreatedAt = start.AddSeconds(-1);
            db.Runs.Add(seeded);
            for (var i = 0; i < 10; i++)
            {
                db.Images.Add(new ImageEntity { Ref = $"http://img.test/{i}.jpg", Status = ImageStatus.Ready, Bytes = 1000, UpdatedAt = start.AddSeconds(i) });
            }

            db.Images.Add(new ImageEntity { Ref = "http://img.test/bad.jpg", Status = ImageStatus.Failed, LastError = "http_404", UpdatedAt = start.AddSeconds(10) });
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        }

        var status = new LedgerStatus(ctx.Services.GetRequiredService<IDbContextFactory<LedgerDbContext>>());
        var snapshot = await status.ReadAsync(run, TestContext.Current.CancellationToken);
        var live = await status.ReadRunAsync(run, TestContext.Current.CancellationToken);

        var images = Assert.IsType<ImageStats>(snapshot.Images);
        Assert.Equal((10, 1, 10_000L), (images.Ready, images.Failed, images.StoredBytes));
        Assert.Equal(10, images.Seconds, precision: 3);
        Assert.Equal(1.1, images.ImagesPerSecond, precision: 3);
        Assert.Equal(1000, images.BytesPerSecond, precision: 3);
        Assert.Equal(10_000L, live.ImageBytes);
    }
}
