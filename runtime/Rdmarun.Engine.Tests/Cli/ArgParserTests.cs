using Rdmarun.Cli;

namespace Rdmarun.Engine.Tests.Cli;

/// <summary>
/// The CLI's flags as runc takes them; with reordering (create, run, delete, kill, state ...), known
/// flags after the container id count too: Slurm's oci.conf writes `run ID -b DIR`.
/// </summary>
public class ArgParserTests
{
    /// <summary>create/run's flags (CreateCommand.Flags).</summary>
    private static ArgParser Run() => new ArgParser()
        .Flag("bundle|b", true).Flag("pid-file", true).Flag("console-socket", true).Flag("no-pivot")
        .Flag("no-new-keyring").Flag("preserve-fds", true).Flag("detach|d").Flag("keep").Flag("no-subreaper");

    [Theory]
    [InlineData("run", "-b", "/b", "id")]
    [InlineData("run", "id", "-b", "/b")]
    [InlineData("run", "id", "--bundle", "/b")]
    [InlineData("run", "id", "--bundle=/b")]
    [InlineData("run", "id", "-bundle=/b")]
    [InlineData("run", "-b", "/x", "id", "-b", "/b")] // the last one wins, as before the id
    public void The_bundle_is_read_before_or_after_the_id(params string[] args)
    {
        var p = Run().Parse(args, 1, reorder: true);
        Assert.Equal(["id"], p.Positional);
        Assert.Equal("/b", p.Get("bundle"));
    }

    [Fact]
    public void Flags_around_the_id_keep_their_values_and_booleans()
    {
        var p = Run().Parse(["run", "--pid-file", "/p", "id", "-d", "--preserve-fds=2", "--keep=false"], 1, reorder: true);
        Assert.Equal(["id"], p.Positional);
        Assert.Equal("/p", p.Get("pid-file"));
        Assert.True(p.Bool("detach"));
        Assert.Equal(2, p.Int("preserve-fds"));
        Assert.False(p.Bool("keep"));
        Assert.Equal("id", p.RequireId("run"));
    }

    [Fact]
    public void Without_reordering_parsing_stops_at_the_first_positional()
    {
        // exec and ps: the command's own words are not ours, even when they look like our flags.
        var p = new ArgParser().Flag("detach|d").Flag("env|e", true).Parse(["exec", "id", "sh", "-c", "env -d", "-e", "X=1"], 1);
        Assert.Equal(["id", "sh", "-c", "env -d", "-e", "X=1"], p.Positional);
        Assert.False(p.Has("env"));
        Assert.False(p.Has("detach"));
    }

    [Fact]
    public void Words_after_a_double_dash_are_never_flags()
    {
        var p = Run().Parse(["run", "-d", "--", "id", "-b", "/b"], 1, reorder: true);
        Assert.True(p.Bool("detach"));
        Assert.Equal(["id", "-b", "/b"], p.Positional);
        Assert.Null(p.Get("bundle"));
    }

    [Fact]
    public void Kill_takes_all_after_the_id_and_keeps_the_signal_positional()
    {
        var p = new ArgParser().Flag("all|a").Parse(["kill", "id", "SIGTERM", "-a"], 1, reorder: true);
        Assert.True(p.Bool("all"));
        Assert.Equal(["id", "SIGTERM"], p.Positional);
    }

    [Fact]
    public void A_value_flag_at_the_end_without_its_value_is_an_error()
    {
        var e = Assert.Throws<RuntimeError>(() => Run().Parse(["run", "id", "-b"], 1, reorder: true));
        Assert.Equal("flag needs an argument: -b", e.Message);
    }

    [Theory]
    [InlineData("detatch", "run", "id", "--detatch")]
    [InlineData("bogus", "run", "--bogus", "id")]
    [InlineData("x", "run", "id", "-x=1")]
    public void An_unknown_flag_before_or_after_the_id_is_an_error(string name, params string[] args)
    {
        var e = Assert.Throws<RuntimeError>(() => Run().Parse(args, 1, reorder: true));
        Assert.Equal($"flag provided but not defined: -{name}", e.Message);
    }
}
