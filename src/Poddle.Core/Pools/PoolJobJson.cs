using System.Text.Json;

namespace Poddle.Core.Pools;

/// <summary>A job's status in RunPod's shape, as the webhook body (the API answers the same shape through its contracts).</summary>
public static class PoolJobJson
{
    /// <summary><c>{"id", "status", "delayTime", "executionTime", "output" | "error"}</c>; absent values are left out.</summary>
    public static string Write(PoolJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("id", job.Id.ToString());
            writer.WriteString("status", job.Status);
            if (job.DelayTimeMs is { } delay)
            {
                writer.WriteNumber("delayTime", delay);
            }

            if (job.ExecutionTimeMs is { } execution)
            {
                writer.WriteNumber("executionTime", execution);
            }

            if (job.OutputJson is { } output)
            {
                writer.WritePropertyName("output");
                writer.WriteRawValue(output, skipInputValidation: false);
            }

            if (job.Error is { } error)
            {
                writer.WriteString("error", error);
            }

            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}
