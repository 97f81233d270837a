using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.Logging;
using Poddle.Contracts;
using Poddle.Core.Persistence;
using Poddle.Testing;

namespace Poddle.Server.Tests.Hosting;

public sealed class LogRedactionTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Logs_NeverContainPasswordsOrTokens(DatabaseProvider provider)
    {
        var capture = new CapturingLoggerProvider();
        await using var server = await TestServer.StartAsync(provider, configure: b =>
        {
            b.Logging.AddProvider(capture);

            // Everything this provider sees, down to Debug, so a secret in a quieter line is caught too.
            b.Logging.AddFilter<CapturingLoggerProvider>(null, LogLevel.Debug);
        });
        const string password = "Sup3r-secret-passphrase";
        const string newPassword = "An0ther-secret-passphrase";
        using var anonymous = server.CreateClient();

        Assert.Equal(HttpStatusCode.Created, (await anonymous.PostAsJsonAsync("/api/auth/register", new RegisterRequest("logged@example.test", "logged", password))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsJsonAsync("/api/auth/login", new LoginRequest("logged", password + "-wrong"))).StatusCode);
        var login = (await (await anonymous.PostAsJsonAsync("/api/auth/login", new LoginRequest("logged", password))).Content.ReadFromJsonAsync<TokenResponse>())!;
        var refreshed = (await (await anonymous.PostAsJsonAsync("/api/auth/refresh", new RefreshRequest(login.RefreshToken))).Content.ReadFromJsonAsync<TokenResponse>())!;
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsJsonAsync("/api/auth/refresh", new RefreshRequest(login.RefreshToken))).StatusCode);
        var (client, second) = await server.CreateUserAsync("logged2", password);
        var apiToken = (await (await client.PostAsJsonAsync("/api/tokens", new CreateApiTokenRequest("ci"))).Content.ReadFromJsonAsync<CreatedApiTokenResponse>())!;
        using var cli = server.CreateClient(apiToken.Token);
        Assert.Equal(HttpStatusCode.OK, (await cli.GetAsync("/api/auth/me")).StatusCode);
        using var wrongToken = server.CreateClient(apiToken.Token + "x");
        Assert.Equal(HttpStatusCode.Unauthorized, (await wrongToken.GetAsync("/api/auth/me")).StatusCode);
        using var staleJwt = server.CreateClient(login.AccessToken);
        Assert.Equal(HttpStatusCode.Unauthorized, (await staleJwt.GetAsync("/api/auth/me")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PatchAsJsonAsync("/api/users/me", new UpdateUserRequest(Password: newPassword, CurrentPassword: password))).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await client.PostAsync("/api/auth/logout", null)).StatusCode);

        var secrets = new[]
        {
            password, newPassword, TestServer.AdminPassword, login.AccessToken, login.RefreshToken, refreshed.AccessToken,
            refreshed.RefreshToken, second.AccessToken, second.RefreshToken, apiToken.Token,
        };
        Assert.NotEmpty(capture.Lines);
        Assert.Contains(capture.Lines, l => l.Contains("signed in", StringComparison.Ordinal));
        foreach (var line in capture.Lines)
        {
            foreach (var secret in secrets)
            {
                Assert.False(line.Contains(secret, StringComparison.Ordinal), $"A secret reached the log: {line}");
            }

            // A JWT's signature part alone must not leak either.
            Assert.DoesNotContain(login.AccessToken.Split('.')[2], line, StringComparison.Ordinal);
        }
    }

    private sealed class CapturingLoggerProvider : ILoggerProvider, ISupportExternalScope
    {
        private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

        public ConcurrentQueue<string> Lines { get; } = new();

        public ILogger CreateLogger(string categoryName) => new CapturingLogger(this, categoryName);

        public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

        public void Dispose()
        {
        }

        private sealed class CapturingLogger(CapturingLoggerProvider owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => owner._scopes.Push(state);

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var scopes = new List<string>();
                owner._scopes.ForEachScope((scope, list) => list.Add(scope?.ToString() ?? string.Empty), scopes);
                var properties = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(' ', pairs.Select(p => $"{p.Key}={p.Value}")) : string.Empty;
                owner.Lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {properties} {exception} [{string.Join("; ", scopes)}]");
            }
        }
    }
}
