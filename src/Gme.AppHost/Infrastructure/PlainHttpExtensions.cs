namespace Gme.AppHost.Infrastructure;

/// <summary>The services serve plain HTTP when the AppHost runs them (a deployment's platform terminates TLS).</summary>
internal static class PlainHttpExtensions
{
    /// <summary>
    /// Removes the HTTPS certificate set-up Aspire gives every project resource by default. With it, the AppHost
    /// looks for a trusted ASP.NET Core developer certificate at start and, finding none (any Linux machine, CI),
    /// logs "No trusted Aspire development certificate was found" and shows a red "No trusted development certificate"
    /// banner on the dashboard, although nothing here has an HTTPS endpoint (DcpHost checks whether any resource has
    /// an https endpoint or a certificate callback not turned off).
    /// </summary>
#pragma warning disable ASPIRECERTIFICATES001 // evaluation API; the only switch Aspire 13 has for this
    public static IResourceBuilder<ProjectResource> WithPlainHttpOnly(this IResourceBuilder<ProjectResource> service) =>
        service.WithoutHttpsCertificate();
#pragma warning restore ASPIRECERTIFICATES001
}
