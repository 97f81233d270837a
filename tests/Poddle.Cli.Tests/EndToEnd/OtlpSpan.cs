namespace Poddle.Cli.Tests.EndToEnd;

/// <summary>
/// A span of an OTLP ExportTraceServiceRequest (opentelemetry/proto/trace/v1/trace.proto), the fields the tests read:
/// TracesData.resource_spans (1) → ResourceSpans.scope_spans (2) → ScopeSpans.spans (2) → Span.trace_id (1),
/// span_id (2), parent_span_id (4), name (5).
/// </summary>
internal sealed record OtlpSpan(string TraceId, string SpanId, string ParentSpanId, string Name)
{
    public static List<OtlpSpan> Decode(byte[] request)
    {
        var spans = new List<OtlpSpan>();
        foreach (var resourceSpans in Fields(request, 1))
        {
            foreach (var scopeSpans in Fields(resourceSpans, 2))
            {
                foreach (var span in Fields(scopeSpans, 2))
                {
                    spans.Add(new OtlpSpan(
                        Convert.ToHexStringLower(Fields(span, 1).FirstOrDefault() ?? []),
                        Convert.ToHexStringLower(Fields(span, 2).FirstOrDefault() ?? []),
                        Convert.ToHexStringLower(Fields(span, 4).FirstOrDefault() ?? []),
                        System.Text.Encoding.UTF8.GetString(Fields(span, 5).FirstOrDefault() ?? [])));
                }
            }
        }

        return spans;
    }

    /// <summary>The length-delimited fields numbered <paramref name="number"/> of a message (the others skipped by wire type).</summary>
    private static IEnumerable<byte[]> Fields(byte[] message, int number)
    {
        var position = 0;
        while (position < message.Length)
        {
            var key = Varint(message, ref position);
            switch ((int)(key & 7))
            {
                case 0:
                    Varint(message, ref position);
                    break;
                case 1:
                    position += 8;
                    break;
                case 5:
                    position += 4;
                    break;
                case 2:
                    var length = (int)Varint(message, ref position);
                    if ((int)(key >> 3) == number)
                    {
                        yield return message[position..(position + length)];
                    }

                    position += length;
                    break;
                default:
                    throw new InvalidDataException($"Unexpected protobuf wire type {key & 7}.");
            }
        }
    }

    private static ulong Varint(byte[] message, ref int position)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = message[position++];
            value |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }
    }
}
