using Poddle.Agent.Static;

namespace Poddle.Agent.Tests.Static;

public sealed class AcceptEncodingNegotiatorTests
{
    [Theory]
    [InlineData("gzip, deflate, br, zstd", ContentEncoding.Brotli)]
    [InlineData("gzip", ContentEncoding.Gzip)]
    [InlineData("GZIP", ContentEncoding.Gzip)]
    [InlineData("x-gzip", ContentEncoding.Gzip)]
    [InlineData("br;q=0.1, gzip;q=0.8", ContentEncoding.Gzip)]
    [InlineData("br;q=0, gzip", ContentEncoding.Gzip)]
    [InlineData("gzip;q=0, br;q=0", ContentEncoding.Identity)]
    [InlineData("*", ContentEncoding.Brotli)]
    [InlineData("*;q=0", ContentEncoding.Identity)]
    [InlineData("gzip, *;q=0", ContentEncoding.Gzip)]
    [InlineData("identity", ContentEncoding.Identity)]
    [InlineData("", ContentEncoding.Identity)]
    [InlineData(null, ContentEncoding.Identity)]
    public void Choose_BothCopiesExist(string? header, ContentEncoding expected) =>
        Assert.Equal(expected, AcceptEncodingNegotiator.Choose(header, hasGzip: true, hasBrotli: true));

    [Fact]
    public void Choose_OnlyGzipExists_BrotliClientGetsGzipOrIdentity()
    {
        Assert.Equal(ContentEncoding.Gzip, AcceptEncodingNegotiator.Choose("gzip, br", hasGzip: true, hasBrotli: false));
        Assert.Equal(ContentEncoding.Identity, AcceptEncodingNegotiator.Choose("br", hasGzip: true, hasBrotli: false));
        Assert.Equal(ContentEncoding.Identity, AcceptEncodingNegotiator.Choose("gzip, br", hasGzip: false, hasBrotli: false));
    }

    [Fact]
    public void Parse_SameHeaderTwice_SameAnswer()
    {
        Assert.Equal((1.0, 0.5), AcceptEncodingNegotiator.Parse("gzip, br;q=0.5"));
        Assert.Equal((1.0, 0.5), AcceptEncodingNegotiator.Parse("gzip, br;q=0.5"));
        Assert.Equal((0.0, 1.0), AcceptEncodingNegotiator.Parse("br"));
    }
}
