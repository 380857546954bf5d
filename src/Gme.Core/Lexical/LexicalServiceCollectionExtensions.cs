using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Gme.Core.Lexical;

public static class LexicalServiceCollectionExtensions
{
    /// <summary>The BM25 settings (validated on start) and the encoder both stores share; safe to call twice.</summary>
    public static IServiceCollection AddLexicalEncoder(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<LexicalOptions>().BindConfiguration(LexicalOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton<LexicalEncoder>();
        return services;
    }
}
