using System.Text;

namespace Rdmarun.Integration.Tests;

/// <summary>Runs each case of <see cref="BadInputCatalogue"/>: the user sees the catalogued error, and nothing is left.</summary>
public class BadInputTests
{
    public static TheoryData<string> Names => new(BadInputCatalogue.Cases.Select(c => c.Name));

    [Theory]
    [MemberData(nameof(Names))]
    public void Each_bad_input_gets_its_catalogued_error_and_leaves_nothing(string name)
    {
        var c = BadInputCatalogue.Cases.Single(x => x.Name == name);
        using var b = new Bundle("true");
        var id = b.NewId("bad");
        Rdmarun.Result r;
        string[] args;
        try
        {
            args = c.Prepare(b, id);
            r = b.Rt(args);
        }
        finally { Assert.Empty(BadInputCatalogue.Cleanup(b)); }
        if (c.LeavesNothing) Assert.Empty(LeakCheck.Find(b, id));
        string expected = c.Expected.Replace("{bundle}", b.Dir).Replace("{id}", id);
        Assert.True(r.ExitCode != 0, $"{name}: accepted: {r}");
        AssertContainsInOrder(expected, r.Stderr);
        Document(c, args, r, b, id);
    }

    /// <summary>The expected text, with `…` matching any host-specific text in between.</summary>
    private static void AssertContainsInOrder(string expected, string actual)
    {
        int at = 0;
        foreach (var part in expected.Split('…'))
        {
            int i = actual.IndexOf(part, at, StringComparison.Ordinal);
            Assert.True(i >= 0, $"expected \"{expected}\" in stderr, got: {actual}");
            at = i + part.Length;
        }
    }

    /// <summary>With RDMARUN_BAD_INPUTS_OUT set (scripts/bad-inputs-doc.sh), one table row per case.</summary>
    private static void Document(BadInputCatalogue.Case c, string[] args, Rdmarun.Result r, Bundle b, string id)
    {
        var dir = Environment.GetEnvironmentVariable("RDMARUN_BAD_INPUTS_OUT");
        if (string.IsNullOrEmpty(dir)) return;
        string Clean(string s) => s.Replace(b.Dir, "<bundle>").Replace(id, "<id>").Replace("|", "\\|").Trim();
        var seen = string.Join("<br>", r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => "`" + Clean(l) + "`"));
        int index = BadInputCatalogue.Cases.ToList().IndexOf(c) + 1;
        var row = new StringBuilder()
            .Append($"| {index} | {c.Input} | `rdmarun {Clean(string.Join(' ', args))}` | {seen} | {(c.LeavesNothing ? "nothing left" : "")} |");
        File.WriteAllText(Path.Combine(dir, $"{index:D3}.md"), row.ToString());
    }
}
