namespace Poddle.Agent.Worker;

/// <summary>A job the worker took: its id, its input as JSON text, and its execution timeout when the server sent one.</summary>
public sealed record WorkerJob(string Id, string InputJson, TimeSpan? ExecutionTimeout);
