using Gme.Core.Messaging.Outbox;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Gme.Core.Messaging;

public static class GmeBusExtensions
{
    /// <summary>Adds a stage's consumers (or sagas) to the bus that <c>AddGmeBus</c> builds.</summary>
    public static IServiceCollection AddBusContribution(this IServiceCollection services, Action<IBusRegistrationConfigurator> configure)
    {
        services.AddSingleton(new BusContribution(configure));
        return services;
    }

    /// <summary>
    /// The ledger unit of work alone (commit and outbox delivery after each consumer), for a bus built by hand such
    /// as MassTransit's test harness; <see cref="AddGmeBus(IServiceCollection, GmeProfile, string?)"/> includes it.
    /// </summary>
    public static IBusRegistrationConfigurator AddLedgerUnitOfWork(this IBusRegistrationConfigurator configurator)
    {
        ArgumentNullException.ThrowIfNull(configurator);
        configurator.AddScoped<LedgerUnitOfWork>();
        configurator.AddScoped(typeof(LedgerUnitOfWorkFilter<>));
        configurator.AddConfigureEndpointsCallback((context, _, endpoint) =>
            endpoint.UseConsumeFilter(typeof(LedgerUnitOfWorkFilter<>), context));
        return configurator;
    }

    /// <summary>The bus of the configured profile (<c>Gme:Profile</c>), RabbitMQ from ConnectionStrings:gme-bus.</summary>
    public static IHostApplicationBuilder AddGmeBus(this IHostApplicationBuilder builder)
    {
        var profile = builder.Configuration.GetValue($"{GmeOptions.SectionName}:{nameof(GmeOptions.Profile)}", GmeProfile.Embedded);
        builder.Services.AddGmeBus(profile, builder.Configuration.GetConnectionString(ResourceNames.Bus));
        return builder;
    }

    /// <summary>
    /// Builds the one bus of the process from every registered <see cref="BusContribution"/>: MassTransit's in-memory
    /// transport in the embedded profile, RabbitMQ in the distributed one. Call it after the stages are added.
    /// </summary>
    public static IServiceCollection AddGmeBus(this IServiceCollection services, GmeProfile profile, string? rabbitMqConnectionString = null)
    {
        var contributions = services
            .Where(d => d.ServiceType == typeof(BusContribution) && d.ImplementationInstance is BusContribution)
            .Select(d => (BusContribution)d.ImplementationInstance!)
            .ToList();

        services.AddOptions<MessagingOptions>().BindConfiguration(MessagingOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddScoped(typeof(InboxFilter<>));
        services.AddScoped<LedgerUnitOfWork>();
        services.AddScoped(typeof(LedgerUnitOfWorkFilter<>));
        services.AddHostedService<OutboxSweeper>();
        services.AddMassTransit(x =>
        {
            x.SetKebabCaseEndpointNameFormatter();

            // MassTransit 8.4+ reports anonymous usage to its vendor by default; Gme phones nobody (and offline runs
            // logged "Failed to report usage telemetry" in every process).
            x.DisableUsageTelemetry();
            foreach (var contribution in contributions)
            {
                contribution.Configure(x);
            }

            // The inbox first, so a message already processed is acknowledged without a retry loop around nothing.
            // Every consumer is idempotent, so a retry is always safe; SQLite lock contention and a
            // saga's optimistic-concurrency conflict both clear up on a later attempt.
            x.AddConfigureEndpointsCallback((context, _, endpoint) =>
            {
                endpoint.UseConsumeFilter(typeof(InboxFilter<>), context);
                endpoint.UseMessageRetry(r =>
                {
                    // Bad input is permanent: retrying it only delays the one-line error the user needs.
                    r.Ignore<Errors.BadInputException>();
                    r.Exponential(8, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(300));
                });

                // Inside the retry, so that every attempt gets a fresh unit of work.
                endpoint.UseConsumeFilter(typeof(LedgerUnitOfWorkFilter<>), context);
            });

            if (profile == GmeProfile.Embedded)
            {
                x.UsingInMemory((context, cfg) => cfg.ConfigureEndpoints(context));
            }
            else
            {
                if (string.IsNullOrWhiteSpace(rabbitMqConnectionString))
                {
                    throw new InvalidOperationException(
                        $"The distributed profile needs a RabbitMQ connection string (ConnectionStrings:{ResourceNames.Bus}).");
                }

                x.UsingRabbitMq((context, cfg) =>
                {
                    cfg.Host(new Uri(rabbitMqConnectionString));
                    cfg.ConfigureEndpoints(context);
                });
            }
        });

        return services;
    }
}
