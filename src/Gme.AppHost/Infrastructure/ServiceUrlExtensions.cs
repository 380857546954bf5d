using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gme.AppHost.Infrastructure;

/// <summary>
/// Prints where a service a user talks to listens (the runs API, the search page), once its port is allocated: the
/// ports are free ones chosen at each start, and without this line they are only on the dashboard, which a user on a
/// headless machine or a script does not have.
/// </summary>
internal static class ServiceUrlExtensions
{
    public static IResourceBuilder<ProjectResource> WithUrlPrinted(this IResourceBuilder<ProjectResource> service, string purpose) =>
        service.OnResourceEndpointsAllocated((resource, e, _) =>
        {
            var logger = e.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Gme.AppHost");
            var url = resource.GetEndpoint("http").Url;
            AppHostLog.ServiceUrl(logger, resource.Name, url, purpose);
            return Task.CompletedTask;
        });
}
