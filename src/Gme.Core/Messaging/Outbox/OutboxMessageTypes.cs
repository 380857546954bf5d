using Gme.Contracts;

namespace Gme.Core.Messaging.Outbox;

/// <summary>
/// Names outbox rows by message type and finds the type again. Only Gme.Contracts types are allowed both ways: a row
/// in the database is never a way to make the process load or build an arbitrary type.
/// </summary>
public static class OutboxMessageTypes
{
    private static readonly System.Reflection.Assembly s_contracts = typeof(RunStarted).Assembly;

    public static string NameOf(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        if (type.Assembly != s_contracts || type.FullName is null)
        {
            throw new ArgumentException($"Only Gme.Contracts messages go through the outbox, not {type}.", nameof(type));
        }

        return type.FullName;
    }

    public static Type? Find(string name) =>
        s_contracts.GetType(name, throwOnError: false) is { IsClass: true, IsAbstract: false } type ? type : null;
}
