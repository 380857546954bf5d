using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Gme.Pipeline.Runs.Stalls;

/// <summary>
/// Queue depth and consumer count from a passive queue declare over AMQP: the broker's own numbers, with no management
/// plugin or HTTP API needed. One connection is kept and opened again after the broker restarts.
/// </summary>
internal sealed class RabbitMqQueueProbe(Uri broker) : IQueueProbe, IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IConnection? _connection;

    public async Task<IReadOnlyList<QueueState>> ProbeAsync(IReadOnlyList<string> queues, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_connection is not { IsOpen: true })
            {
                if (_connection is not null)
                {
                    await _connection.DisposeAsync();
                }

                var factory = new ConnectionFactory { Uri = broker, ClientProvidedName = "gme-run-watchdog", RequestedConnectionTimeout = TimeSpan.FromSeconds(5) };
                _connection = await factory.CreateConnectionAsync(cancellationToken);
            }

            var states = new List<QueueState>(queues.Count);
            IChannel? channel = null;
            try
            {
                foreach (var queue in queues)
                {
                    channel ??= await _connection.CreateChannelAsync(cancellationToken: cancellationToken);
                    try
                    {
                        var ok = await channel.QueueDeclarePassiveAsync(queue, cancellationToken);
                        states.Add(new QueueState(queue, ok.MessageCount, ok.ConsumerCount));
                    }
                    catch (OperationInterruptedException ex) when (ex.ShutdownReason?.ReplyCode == 404)
                    {
                        // Not declared yet: its service never started, and nothing can have been queued for it. The
                        // broker closes the channel on a failed passive declare; the next queue gets a new one.
                        await channel.DisposeAsync();
                        channel = null;
                    }
                }
            }
            finally
            {
                if (channel is not null)
                {
                    await channel.DisposeAsync();
                }
            }

            return states;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }

        _gate.Dispose();
    }
}
