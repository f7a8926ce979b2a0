using Rdmarun.Engine.Container;
using Rdmarun.Engine.Lifecycle;

namespace Rdmarun.Engine.Tests.Lifecycle;

/// <summary>`_RDMARUN_LAUNCH_KEY` and `RDMARUN_LAUNCH_TEMPLATE_TTL` as launch reads them, and the reserved `.launch` id.</summary>
public class LaunchTemplateRequestTests
{
    private readonly List<string> _debug = [];

    [Fact]
    public void A_valid_key_without_a_ttl_gets_the_default()
    {
        Assert.Equal(new LaunchTemplateRequest("0123456789abcdef", 120), LaunchTemplateRequest.Parse("0123456789abcdef", null, _debug.Add));
        Assert.Equal(new LaunchTemplateRequest("0123456789abcdef", 7), LaunchTemplateRequest.Parse("0123456789abcdef", "7", _debug.Add));
        Assert.Empty(_debug);
    }

    [Theory]
    [InlineData("0123456789ABCDEF")]
    [InlineData("0123456789abcde")]
    [InlineData("0123456789abcdef0")]
    [InlineData("../../etc/passwd")]
    [InlineData("")]
    public void A_key_that_is_not_16_lowercase_hex_digits_is_ignored(string key)
    {
        Assert.Null(LaunchTemplateRequest.Parse(key, null, _debug.Add));
        Assert.Contains(_debug, d => d.Contains("expected 16 lowercase hex digits"));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("2m")]
    [InlineData(" 5")]
    public void Ttl_zero_or_not_a_number_publishes_nothing(string ttl)
    {
        Assert.Null(LaunchTemplateRequest.Parse("0123456789abcdef", ttl, _debug.Add));
    }

    [Fact]
    public void Take_removes_the_key_from_the_environment()
    {
        Environment.SetEnvironmentVariable(LaunchTemplateRequest.KeyEnv, "fedcba9876543210");
        try
        {
            Assert.Equal("fedcba9876543210", LaunchTemplateRequest.Take(_debug.Add)?.Key);
            Assert.Null(Environment.GetEnvironmentVariable(LaunchTemplateRequest.KeyEnv));
            Assert.Null(LaunchTemplateRequest.Take(_debug.Add));
        }
        finally { Environment.SetEnvironmentVariable(LaunchTemplateRequest.KeyEnv, null); }
    }

    [Fact]
    public void The_launch_template_directory_is_not_a_container_id()
    {
        var e = Assert.Throws<RuntimeError>(() => StateStore.ValidateId(".launch"));
        Assert.Contains("reserved for launch templates", e.Message);
        StateStore.ValidateId(".launchpad"); // only the exact name
    }
}
