namespace Poddle.Web.Components.Learn;

/// <summary>A public example of a problem: stdin and expected output, or a call and its expected value.</summary>
public sealed record ExampleView(string Input, string Expected, bool IsCall);
