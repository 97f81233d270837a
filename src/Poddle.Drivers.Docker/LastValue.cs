namespace Poddle.Drivers.Docker;

/// <summary>An <see cref="IProgress{T}"/> that keeps the last report, synchronously (Progress&lt;T&gt; posts to the thread pool and may report after the call returned).</summary>
internal sealed class LastValue<T> : IProgress<T>
{
    public T? Value { get; private set; }

    public void Report(T value) => Value = value;
}
