using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Poddle.Agent.Tests.Support;

/// <summary>Collects formatted log lines of every category (to assert on what is, and is not, logged).</summary>
public sealed class ListLoggerProvider : ILoggerProvider, ILoggerFactory
{
    public ConcurrentQueue<string> Lines { get; } = new();

    public string Text => string.Join(Environment.NewLine, Lines);

    public ILogger CreateLogger(string categoryName) => new ListLogger(this, categoryName);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public ILogger<T> For<T>() => new Logger<T>(this);

    public void Dispose()
    {
    }

    private sealed class ListLogger(ListLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)}" + (exception is null ? string.Empty : " " + exception.Message));
    }
}
