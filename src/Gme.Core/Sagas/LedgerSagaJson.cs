using System.Text.Json;
using System.Text.Json.Serialization;
using MassTransit;

namespace Gme.Core.Sagas;

/// <summary>How a saga instance is written into <c>saga_instances.Data</c> and which <c>SagaType</c> it is filed under.</summary>
internal static class LedgerSagaJson
{
    // Enums as names: the ledger is read by people (gme status, debugging) and names survive reordering an enum.
    private static readonly JsonSerializerOptions s_options = new(JsonSerializerDefaults.General)
    {
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>
    /// The full CLR name (no assembly, so version bumps keep it): renaming or moving a saga state class orphans its rows,
    /// which is the price of not keeping a separate name registry.
    /// </summary>
    public static string TypeName<TSaga>() => typeof(TSaga).FullName ?? typeof(TSaga).Name;

    public static string Serialize<TSaga>(TSaga instance) => JsonSerializer.Serialize(instance, s_options);

    public static TSaga Deserialize<TSaga>(string json, Guid correlationId)
        where TSaga : class, ISaga
    {
        var instance = JsonSerializer.Deserialize<TSaga>(json, s_options)
            ?? throw new InvalidDataException($"Saga {TypeName<TSaga>()} {correlationId} has empty state in the ledger.");

        // The row key is authoritative; the JSON copy is only for readers of the table.
        instance.CorrelationId = correlationId;
        return instance;
    }
}
