using Gme.Cli.Commands;
using Gme.Core.Embeddings;

namespace Gme.Pipeline.Tests;

/// <summary>Tests that swap the process's standard error run alone.</summary>
[CollectionDefinition(nameof(ConsoleErrorCollection), DisableParallelization = true)]
public sealed class ConsoleErrorCollection;

[Collection(nameof(ConsoleErrorCollection))]
public sealed class CliActionTests
{
    [Fact]
    public async Task Run_QueryEmbeddingUnavailable_OneErrorLineAndExit1()
    {
        const string Message = "Gemini could not embed the query within 30 s: 429 RESOURCE_EXHAUSTED";
        using var error = new StringWriter();
        var previous = Console.Error;
        Console.SetError(error);
        int code;
        try
        {
            code = await CliAction.RunAsync(() => throw new EmbeddingUnavailableException(Message));
        }
        finally
        {
            Console.SetError(previous);
        }

        Assert.Equal(1, code);
        Assert.Equal($"error: {Message}{Environment.NewLine}", error.ToString());
    }
}
