using System.Reflection;
using NetArchTest.Rules;
using Poddle.Core.Persistence;
using Poddle.Drivers.Abstractions.Pods;
using Poddle.Drivers.Docker;
using Poddle.Drivers.RunPod;
using Poddle.Drivers.Sandbox.Pods;

namespace Poddle.Architecture.Tests;

/// <summary>
/// DESIGN.md's dependency rules, on the built assemblies: what each references, and (NetArchTest, reading the IL) which
/// namespaces its types use. Project references alone do not hold them: a package reference or a transitive one can
/// bring what a rule forbids, and features are folders of one project.
/// </summary>
public sealed class DependencyRulesTests
{
    private const string CoreNamespace = "Poddle.Core";

    /// <summary>Shared by every feature and allowed to be used by all: the result types and the one DbContext.</summary>
    private static readonly string[] SharedCoreFolders = ["Common", "Persistence"];

    private static readonly Assembly Core = typeof(PoddleDbContext).Assembly;
    private static readonly Assembly Abstractions = typeof(IPodDriver).Assembly;
    private static readonly Assembly Web = typeof(Poddle.Web.WebPaths).Assembly;
    private static readonly Assembly[] Drivers = [typeof(SandboxPodDriver).Assembly, typeof(DockerPodDriver).Assembly, typeof(RunPodPodDriver).Assembly];

    [Fact]
    public void DriversAbstractions_References_OnlyTheBaseClassLibrary()
    {
        var foreign = Abstractions.GetReferencedAssemblies()
            .Select(a => a.Name!)
            .Where(name => !IsBaseClassLibrary(name))
            .ToList();

        Assert.True(foreign.Count == 0, $"Poddle.Drivers.Abstractions is the driver contract and references the BCL only, but references: {string.Join(", ", foreign)}");
    }

    [Fact]
    public void Drivers_References_NeverCore()
    {
        foreach (var driver in Drivers)
        {
            var references = driver.GetReferencedAssemblies().Select(a => a.Name!).ToList();
            Assert.DoesNotContain(Core.GetName().Name!, references);

            var result = Types.InAssembly(driver).ShouldNot().HaveDependencyOn(CoreNamespace).GetResult();
            Assert.True(result.IsSuccessful, $"{driver.GetName().Name} uses Poddle.Core in: {Failing(result)}");
        }
    }

    [Theory]
    [InlineData("Microsoft.AspNetCore")]
    [InlineData("Microsoft.EntityFrameworkCore.Sqlite")]
    [InlineData("Microsoft.Data.Sqlite")]
    [InlineData("SQLitePCLRaw")]
    [InlineData("Npgsql")]
    [InlineData("Microsoft.EntityFrameworkCore.SqlServer")]
    public void Core_References_NoAspNetCoreAndNoDatabaseProvider(string forbidden)
    {
        var references = Core.GetReferencedAssemblies()
            .Select(a => a.Name!)
            .Where(name => name.Equals(forbidden, StringComparison.Ordinal) || name.StartsWith(forbidden + ".", StringComparison.Ordinal))
            .ToList();
        Assert.True(references.Count == 0, $"Poddle.Core must not reference {forbidden}, but references: {string.Join(", ", references)}");

        var result = Types.InAssembly(Core).ShouldNot().HaveDependencyOn(forbidden).GetResult();
        Assert.True(result.IsSuccessful, $"Poddle.Core uses {forbidden} in: {Failing(result)}");
    }

    /// <summary>
    /// Core names fields by its own model (FieldPath); the API's wire names live in Poddle.Contracts and the server's
    /// FieldNames. Core referencing either would let the API's spelling back into Core.
    /// </summary>
    [Theory]
    [InlineData("Poddle.Contracts")]
    [InlineData("Poddle.Server")]
    public void Core_References_NotTheApi(string api)
    {
        Assert.DoesNotContain(api, Core.GetReferencedAssemblies().Select(a => a.Name!));

        var result = Types.InAssembly(Core).ShouldNot().HaveDependencyOn(api).GetResult();
        Assert.True(result.IsSuccessful, $"Poddle.Core uses {api} in: {Failing(result)}");
    }

    /// <summary>
    /// The web app is a client of Core's services in the same process, as the API's endpoints are: it never reaches
    /// around them into the server, a driver or a database provider (Server → Web, never the other way).
    /// </summary>
    [Theory]
    [InlineData("Poddle.Server")]
    [InlineData("Poddle.Drivers.Sandbox")]
    [InlineData("Poddle.Drivers.Docker")]
    [InlineData("Poddle.Drivers.RunPod")]
    [InlineData("Poddle.Data.Sqlite")]
    [InlineData("Poddle.Data.Postgres")]
    [InlineData("Npgsql")]
    [InlineData("Microsoft.EntityFrameworkCore.Sqlite")]
    public void Web_References_NeitherTheServerNorDriversNorProviders(string forbidden)
    {
        Assert.DoesNotContain(forbidden, Web.GetReferencedAssemblies().Select(a => a.Name!));

        var result = Types.InAssembly(Web).ShouldNot().HaveDependencyOn(forbidden).GetResult();
        Assert.True(result.IsSuccessful, $"Poddle.Web uses {forbidden} in: {Failing(result)}");
    }

    [Fact]
    public void CoreFeatureFolders_DependOnEachOther_WithoutCycles()
    {
        var features = Core.GetTypes()
            .Select(t => FeatureOf(t.Namespace))
            .OfType<string>()
            .Where(f => !SharedCoreFolders.Contains(f))
            .Distinct()
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.Contains("Deployments", features);

        var edges = new Dictionary<string, IReadOnlySet<string>>(StringComparer.Ordinal);
        var why = new Dictionary<(string From, string To), string>();
        foreach (var from in features)
        {
            var targets = new HashSet<string>(StringComparer.Ordinal);
            foreach (var to in features.Where(to => to != from))
            {
                var result = Types.InAssembly(Core)
                    .That().ResideInNamespace($"{CoreNamespace}.{from}")
                    .ShouldNot().HaveDependencyOn($"{CoreNamespace}.{to}")
                    .GetResult();
                if (!result.IsSuccessful)
                {
                    targets.Add(to);
                    why[(from, to)] = Failing(result);
                }
            }

            edges[from] = targets;
        }

        var cycles = NamespaceCycles.Find(edges);

        Assert.True(cycles.Count == 0, "Core's feature folders depend on each other in a cycle; break each by moving the shared part to the side that owns it " +
            "(a narrow query interface, or a clean-up job of the feature's own):" + Environment.NewLine +
            string.Join(Environment.NewLine, cycles.Select(c => Describe(c, why))));
    }

    [Fact]
    public void NamespaceCycles_TwoFeaturesUsingEachOther_AreOneCycle()
    {
        var edges = new Dictionary<string, IReadOnlySet<string>>
        {
            ["Agents"] = new HashSet<string> { "Deployments", "Common" },
            ["Deployments"] = new HashSet<string> { "Jobs", "Agents" },
            ["Jobs"] = new HashSet<string>(),
            ["Accounts"] = new HashSet<string> { "Jobs" },
        };

        var cycles = NamespaceCycles.Find(edges);

        var cycle = Assert.Single(cycles);
        Assert.Equal(["Agents", "Deployments"], cycle);
    }

    [Fact]
    public void NamespaceCycles_Layered_HasNone()
    {
        var edges = new Dictionary<string, IReadOnlySet<string>>
        {
            ["Deployments"] = new HashSet<string> { "Agents", "Jobs" },
            ["Agents"] = new HashSet<string> { "Jobs" },
            ["Accounts"] = new HashSet<string> { "Jobs" },
        };

        Assert.Empty(NamespaceCycles.Find(edges));
    }

    private static bool IsBaseClassLibrary(string name) =>
        name is "netstandard" or "mscorlib" || name.StartsWith("System", StringComparison.Ordinal) || name.StartsWith("Microsoft.Win32.", StringComparison.Ordinal);

    /// <summary>"Poddle.Core.Curriculum.Grading" → "Curriculum"; null outside a feature folder.</summary>
    private static string? FeatureOf(string? ns)
    {
        if (ns is null || !ns.StartsWith(CoreNamespace + ".", StringComparison.Ordinal))
        {
            return null;
        }

        var rest = ns[(CoreNamespace.Length + 1)..];
        var dot = rest.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? rest : rest[..dot];
    }

    private static string Describe(IReadOnlyList<string> cycle, Dictionary<(string From, string To), string> why) =>
        "  " + string.Join(" ↔ ", cycle) + ":" + string.Concat(
            from pair in why
            where cycle.Contains(pair.Key.From) && cycle.Contains(pair.Key.To)
            orderby pair.Key.From, pair.Key.To
            select $"{Environment.NewLine}    {pair.Key.From} → {pair.Key.To}: {pair.Value}");

    private static string Failing(TestResult result) => string.Join(", ", result.FailingTypeNames ?? []);
}
