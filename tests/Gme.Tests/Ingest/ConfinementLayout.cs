using System.Diagnostics;
using Gme.Tests.Support;
using SixLabors.ImageSharp.PixelFormats;

namespace Gme.Tests.Ingest;

/// <summary>
/// A catalogue folder with hostile neighbours: canary photos outside it (one in a sibling whose name starts with the
/// catalogue folder's), links leading out at the file and at a folder component, a link that stays inside, a FIFO,
/// a folder and an oversize file. The canaries are valid, unique photos, so a leak would decode and be stored.
/// </summary>
internal sealed class ConfinementLayout : IDisposable
{
    private readonly TempDirectory _temp = new();

    public ConfinementLayout(long oversizeBytes)
    {
        Catalogue = Directory.CreateDirectory(Path.Combine(_temp.Path, "cat")).FullName;
        Outside = Directory.CreateDirectory(Path.Combine(_temp.Path, "outside")).FullName;
        var sibling = Directory.CreateDirectory(Path.Combine(_temp.Path, "cat2")).FullName;
        Directory.CreateDirectory(Path.Combine(Catalogue, "images"));

        // Random pixels: no other test image normalises to the same bytes.
        var random = new Random(Random.Shared.Next());
        Canary = TestImages.Png(40, 40, image =>
        {
            for (var y = 0; y < image.Height; y++)
            {
                for (var x = 0; x < image.Width; x++)
                {
                    image[x, y] = new Rgba32((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256), 255);
                }
            }
        });
        File.WriteAllBytes(Path.Combine(Outside, "canary.png"), Canary);
        File.WriteAllBytes(Path.Combine(sibling, "canary.png"), Canary);

        Valid = TestImages.Png(30, 20);
        File.WriteAllBytes(Path.Combine(Catalogue, "images", "ok.png"), Valid);
        File.WriteAllBytes(Path.Combine(Catalogue, "big.png"), new byte[oversizeBytes]);
        File.CreateSymbolicLink(Path.Combine(Catalogue, "link.png"), Path.Combine(Outside, "canary.png"));
        File.CreateSymbolicLink(Path.Combine(Catalogue, "relative-link.png"), "../outside/canary.png");
        File.CreateSymbolicLink(Path.Combine(Catalogue, "chain.png"), Path.Combine(Catalogue, "link.png"));
        Directory.CreateSymbolicLink(Path.Combine(Catalogue, "dirlink"), Outside);
        Directory.CreateSymbolicLink(Path.Combine(Catalogue, "images", "up"), "..");
        File.CreateSymbolicLink(Path.Combine(Catalogue, "zero.png"), "/dev/zero");
        File.CreateSymbolicLink(Path.Combine(Catalogue, "alias.png"), Path.Combine("images", "ok.png"));
        MakeFifo(Path.Combine(Catalogue, "fifo.png"));
    }

    public string Catalogue { get; }
    public string Outside { get; }
    public byte[] Canary { get; }
    public byte[] Valid { get; }

    public void Dispose() => _temp.Dispose();

    private static void MakeFifo(string path)
    {
        using var mkfifo = Process.Start(new ProcessStartInfo("mkfifo", [path]) { UseShellExecute = false })
            ?? throw new InvalidOperationException("mkfifo did not start");
        mkfifo.WaitForExit();
        if (mkfifo.ExitCode != 0)
        {
            throw new InvalidOperationException($"mkfifo exited with {mkfifo.ExitCode}");
        }
    }
}
