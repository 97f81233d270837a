namespace Poddle.Client.Tests;

public sealed class ServerSentEventReaderTests
{
    [Fact]
    public async Task MultiLineData_IsJoinedWithNewlines()
    {
        var events = await ReadAllAsync("event: log\ndata: first\ndata: second\ndata:third\n\n");

        var e = Assert.Single(events);
        Assert.Equal("log", e.EventType);
        Assert.Equal("first\nsecond\nthird", e.Data);
    }

    [Fact]
    public async Task CommentsAndHeartbeats_AreIgnored()
    {
        var events = await ReadAllAsync(": heartbeat\n\n:another\ndata: a\n: in the middle\n\n: tail\n\n");

        Assert.Equal(["a"], events.Select(e => e.Data));
    }

    [Fact]
    public async Task EventWithoutType_IsMessage_AndTypeResetsAfterEachEvent()
    {
        var events = await ReadAllAsync("event: log\ndata: 1\n\ndata: 2\n\n");

        Assert.Equal([("log", "1"), ("message", "2")], events.Select(e => (e.EventType, e.Data)));
    }

    [Fact]
    public async Task CrLfAndCrLineEnds_AndOnlyOneLeadingSpaceDropped()
    {
        var events = await ReadAllAsync("event: log\r\ndata:  two spaces\r\n\r\ndata: x\rdata: y\r\r");

        Assert.Equal([" two spaces", "x\ny"], events.Select(e => e.Data));
    }

    [Fact]
    public async Task EventWithoutData_IsNotDispatched_AndUnterminatedEventIsDropped()
    {
        var events = await ReadAllAsync("event: log\n\nid: 7\ndata: kept\n\ndata: never finished");

        var e = Assert.Single(events);
        Assert.Equal("kept", e.Data);
        Assert.Equal("7", e.Id);
    }

    [Fact]
    public async Task FieldWithoutColon_AndUnknownFields()
    {
        var events = await ReadAllAsync("retry: 1000\nfoo: bar\ndata\n\n");

        Assert.Equal([string.Empty], events.Select(e => e.Data));
    }

    [Fact]
    public async Task Cancellation_StopsAWaitingReader()
    {
        var pipe = new System.IO.Pipes.AnonymousPipeServerStream(System.IO.Pipes.PipeDirection.Out);
        using var client = new System.IO.Pipes.AnonymousPipeClientStream(System.IO.Pipes.PipeDirection.In, pipe.ClientSafePipeHandle);
        using var writer = new StreamWriter(pipe) { AutoFlush = true };
        using var reader = new StreamReader(client);
        using var cts = new CancellationTokenSource();
        var received = new List<string>();

        var reading = Task.Run(async () =>
        {
            await foreach (var e in ServerSentEventReader.ReadAsync(reader, cts.Token))
            {
                received.Add(e.Data);
                await cts.CancelAsync();
            }
        });
        await writer.WriteAsync("data: one\n\n");

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => reading.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(["one"], received);
    }

    private static async Task<List<ServerSentEvent>> ReadAllAsync(string text)
    {
        var events = new List<ServerSentEvent>();
        await foreach (var e in ServerSentEventReader.ReadAsync(new StringReader(text)))
        {
            events.Add(e);
        }

        return events;
    }
}
