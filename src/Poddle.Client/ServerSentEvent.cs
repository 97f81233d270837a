using System.Runtime.CompilerServices;
using System.Text;

namespace Poddle.Client;

/// <summary>One event of a text/event-stream: its type ("message" when the stream named none), data and id.</summary>
/// <param name="EventType">The `event:` field, "message" by default.</param>
/// <param name="Data">The `data:` lines joined with '\n'.</param>
/// <param name="Id">The last `id:` seen, if any.</param>
public sealed record ServerSentEvent(string EventType, string Data, string? Id);

/// <summary>
/// Reads a text/event-stream (the WHATWG HTML "server-sent events" format): lines of `field: value`, events ended by a
/// blank line, several `data:` lines joined with '\n', comment lines (starting with ':', used as heartbeats) ignored,
/// one leading space after the colon dropped, CR, LF and CRLF line ends. An event without data is not dispatched.
/// </summary>
public static class ServerSentEventReader
{
    /// <summary>The events of <paramref name="reader"/> until its end or until <paramref name="cancellationToken"/> is cancelled.</summary>
    public static async IAsyncEnumerable<ServerSentEvent> ReadAsync(TextReader reader, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reader);
        string? eventType = null;
        string? lastId = null;
        var data = new StringBuilder();
        var hasData = false;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var line = await reader.ReadLineAsync(cancellationToken);
            if (line is null)
            {
                // The stream ended: an unterminated event is discarded, as the specification says.
                yield break;
            }

            if (line.Length == 0)
            {
                if (hasData)
                {
                    yield return new ServerSentEvent(eventType ?? "message", data.ToString(), lastId);
                }

                eventType = null;
                data.Clear();
                hasData = false;
                continue;
            }

            if (line[0] == ':')
            {
                continue; // a comment: heartbeats keep proxies from closing an idle stream
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var field = colon < 0 ? line : line[..colon];
            var value = colon < 0 ? string.Empty : line[(colon + 1)..];
            if (value.Length > 0 && value[0] == ' ')
            {
                value = value[1..];
            }

            switch (field)
            {
                case "event":
                    eventType = value.Length == 0 ? null : value;
                    break;
                case "data":
                    if (hasData)
                    {
                        data.Append('\n');
                    }

                    data.Append(value);
                    hasData = true;
                    break;
                case "id":
                    if (!value.Contains('\0', StringComparison.Ordinal))
                    {
                        lastId = value;
                    }

                    break;
                default:
                    break; // "retry" and unknown fields do not matter to a reader that does not reconnect
            }
        }
    }
}
