using System.Net.Http.Json;
using Poddle.Contracts;
using Poddle.Testing;

namespace Poddle.Server.Tests.Endpoints;

/// <summary>Users with a role, and a teacher's problem whose hidden case and solution carry markers a leak would show.</summary>
internal static class CurriculumTestKit
{
    /// <summary>Text that appears only in the hidden case (its call and expected value) and the reference solution.</summary>
    public static readonly string[] HiddenMarkers = ["7319", "21957", "REF-MARK-55"];

    public const string ReferenceSolution = "def triple(x):\n    return x * 3  # REF-MARK-55\n";

    /// <summary>Registers a user, has the admin give them <paramref name="role"/>, and signs them in again (the role is in the token).</summary>
    public static async Task<(HttpClient Client, Guid Id)> UserAsync(TestServer server, string username, UserRoleName role)
    {
        const string password = "correct-horse-battery";
        var (first, tokens) = await server.CreateUserAsync(username, password);
        first.Dispose();
        var (admin, _) = await server.SignInAdminAsync();
        using (admin)
        {
            (await admin.PatchAsJsonAsync($"/api/admin/users/{tokens.User.Id}", new UpdateUserAccessRequest(Role: role), PoddleJsonContext.Default.UpdateUserAccessRequest)).EnsureSuccessStatusCode();
        }

        using var anonymous = server.CreateClient();
        var login = await anonymous.PostAsJsonAsync("/api/auth/login", new LoginRequest(Login: username, Password: password));
        login.EnsureSuccessStatusCode();
        var signedIn = (await login.Content.ReadFromJsonAsync<TokenResponse>())!;
        Assert.Equal(role.ToString().ToLowerInvariant(), signedIn.User.Role);
        return (server.CreateClient(signedIn.AccessToken), signedIn.User.Id);
    }

    /// <summary>Two public function cases and one hidden one; level 1 of 11-14, session "Numbers".</summary>
    public static ProblemWriteRequest Triple(string? id, string title = "Triple it", string? referenceSolution = null, string hiddenExpected = "21957") => new(
        Id: id,
        Title: title,
        AgeGroup: "11-14",
        Level: 1,
        Session: "Numbers",
        Order: 9,
        Tags: ["functions", "teacher-made"],
        Statement: "Write `triple(x)`.",
        StarterCode: "def triple(x):\n    pass\n",
        FunctionName: "triple",
        Tests:
        [
            new TestCaseRequest(Call: "triple(1)", Expected: "3", Hidden: false),
            new TestCaseRequest(Call: "triple(2)", Expected: "6", Hidden: false),
            new TestCaseRequest(Call: "triple(7319)", Expected: hiddenExpected, Hidden: true),
        ],
        ReferenceSolution: referenceSolution);

    public static async Task<ProblemResponse> ProblemAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<ProblemResponse>())!;
}
