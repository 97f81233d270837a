using System.Globalization;
using System.Text;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http;

namespace Poddle.Agent.Static;

/// <summary>
/// The access log of `poddle static`, one line per request in NCSA common or combined format, written by one
/// background writer so that a request never waits for the disk or the terminal (unless the log falls 64 K lines
/// behind: then requests wait for it rather than lines being lost).
/// </summary>
internal sealed class AccessLog : IAsyncDisposable
{
    private readonly Channel<string> _lines = Channel.CreateBounded<string>(new BoundedChannelOptions(65536) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly TextWriter _writer;
    private readonly bool _ownsWriter;
    private readonly AccessLogFormat _format;
    private readonly TimeProvider _time;
    private readonly Task _pump;

    public AccessLog(TextWriter writer, bool ownsWriter, AccessLogFormat format, TimeProvider time)
    {
        _writer = writer;
        _ownsWriter = ownsWriter;
        _format = format;
        _time = time;
        _pump = Task.Run(PumpAsync);
    }

    /// <summary>Opens the log: a file (appended to, created with its directory) or standard output.</summary>
    public static AccessLog Open(string? path, AccessLogFormat format, TimeProvider time, TextWriter standardOutput)
    {
        if (path is null)
        {
            return new AccessLog(standardOutput, ownsWriter: false, format, time);
        }

        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var stream = new FileStream(full, FileMode.Append, FileAccess.Write, FileShare.ReadWrite, 64 * 1024);
        return new AccessLog(new StreamWriter(stream, new UTF8Encoding(false), 64 * 1024), ownsWriter: true, format, time);
    }

    /// <summary>The middleware: lets the request through, then logs it.</summary>
    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        try
        {
            await next(context);
        }
        finally
        {
            var line = Format(context, _time.GetUtcNow(), _format);
            if (!_lines.Writer.TryWrite(line))
            {
                await _lines.Writer.WriteAsync(line, CancellationToken.None);
            }
        }
    }

    /// <summary>
    /// 127.0.0.1 - - [23/Nov/2026:19:30:00 +0000] "GET /index.html HTTP/1.1" 200 612 "-" "curl/8.0" (combined);
    /// the bytes are the body's ("-" when there is none), quotes and control characters in fields are escaped.
    /// </summary>
    internal static string Format(HttpContext context, DateTimeOffset now, AccessLogFormat format)
    {
        var request = context.Request;
        var response = context.Response;
        var builder = new StringBuilder(160);
        builder.Append(context.Connection.RemoteIpAddress?.ToString() ?? "-");
        builder.Append(" - - [");
        builder.Append(now.UtcDateTime.ToString("dd/MMM/yyyy:HH:mm:ss", CultureInfo.InvariantCulture));
        builder.Append(" +0000] \"");
        AppendEscaped(builder, request.Method);
        builder.Append(' ');
        AppendEscaped(builder, request.Path.HasValue ? request.Path.ToUriComponent() : "/");
        AppendEscaped(builder, request.QueryString.HasValue ? request.QueryString.Value : null);
        builder.Append(' ');
        AppendEscaped(builder, request.Protocol);
        builder.Append("\" ");
        builder.Append(response.StatusCode.ToString(CultureInfo.InvariantCulture));
        builder.Append(' ');
        var bytes = HttpMethods.IsHead(request.Method) || response.StatusCode == StatusCodes.Status304NotModified ? null : response.ContentLength;
        builder.Append(bytes is > 0 ? bytes.Value.ToString(CultureInfo.InvariantCulture) : "-");
        if (format == AccessLogFormat.Combined)
        {
            builder.Append(" \"");
            AppendEscaped(builder, request.Headers.Referer.Count > 0 ? request.Headers.Referer.ToString() : "-");
            builder.Append("\" \"");
            AppendEscaped(builder, request.Headers.UserAgent.Count > 0 ? request.Headers.UserAgent.ToString() : "-");
            builder.Append('"');
        }

        return builder.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        _lines.Writer.TryComplete();
        await _pump;
        if (_ownsWriter)
        {
            await _writer.DisposeAsync();
        }
    }

    private static void AppendEscaped(StringBuilder builder, string? value)
    {
        if (value is null)
        {
            return;
        }

        foreach (var c in value)
        {
            if (c is '"' or '\\')
            {
                builder.Append('\\').Append(c);
            }
            else if (char.IsControl(c))
            {
                builder.Append("\\x").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
            }
            else
            {
                builder.Append(c);
            }
        }
    }

    private async Task PumpAsync()
    {
        var reader = _lines.Reader;
        while (await reader.WaitToReadAsync())
        {
            while (reader.TryRead(out var line))
            {
                await _writer.WriteLineAsync(line);
            }

            // Flushed whenever the queue runs dry: lines appear promptly when idle, in large writes when busy.
            await _writer.FlushAsync();
        }
    }
}
