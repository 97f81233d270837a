namespace Poddle.Web.Tests.EndToEnd;

/// <summary>A user a browser test signed up (each test makes its own: the tests share one server).</summary>
public sealed record WebPerson(string Username, string Password)
{
    /// <summary>A fresh person whose username starts with <paramref name="prefix"/> (lower-case letters, then 10 hex digits).</summary>
    public static WebPerson New(string prefix) => new($"{prefix}{Guid.NewGuid():N}"[..(prefix.Length + 10)], "correct-horse-battery-42");

    public string Email => $"{Username}@example.com";
}
