using MassTransit;

namespace Gme.Tests.Sagas;

/// <summary>Counts the messages of one type that really left for the transport (not those an outbox dropped).</summary>
internal sealed class PublishCounter<T> : IPublishObserver
    where T : class
{
    private int _published;

    public int Published => Volatile.Read(ref _published);

    public Task PrePublish<TMessage>(PublishContext<TMessage> context)
        where TMessage : class => Task.CompletedTask;

    public Task PostPublish<TMessage>(PublishContext<TMessage> context)
        where TMessage : class
    {
        if (context.Message is T)
        {
            Interlocked.Increment(ref _published);
        }

        return Task.CompletedTask;
    }

    public Task PublishFault<TMessage>(PublishContext<TMessage> context, Exception exception)
        where TMessage : class => Task.CompletedTask;
}
