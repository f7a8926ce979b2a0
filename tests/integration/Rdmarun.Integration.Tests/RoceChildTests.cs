using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Rdmarun.Integration.Tests;

/// <summary>
/// The RoCE grant convenience on this host: org.rdmarun.rdma.netdev makes a macvlan child of a host netdev (here
/// a veth end standing in for the RDMA device's netdev) inside the container's network namespace, with the asked
/// addresses, up, under the rate cap; it dies with the namespace. Refusals leave nothing. This host's kernel has
/// macvlan built in but no ipvlan or 8021q: a VLAN child shows the kernel's refusal path.
/// </summary>
public sealed class RoceChildTests : IDisposable
{
    readonly string _tag = Guid.NewGuid().ToString("N")[..6];
    string Parent => $"rcp{_tag}";
    string Peer => $"rcq{_tag}";
    readonly string _policy;

    public RoceChildTests()
    {
        Host($"ip link add {Parent} type veth peer name {Peer}");
        Host($"ip link set {Parent} up");
        Host($"ip link set {Peer} up");
        _policy = Path.Combine(Path.GetTempPath(), $"rdma-policy-{_tag}.json");
        File.WriteAllText(_policy, $$"""{"netdevChildren": ["macvlan", "vlan"], "netdevLinks": ["{{Parent}}"]}""");
    }

    public void Dispose()
    {
        Sh($"ip link del {Parent}");
        File.Delete(_policy);
    }

    static (int Exit, string Out) Sh(string command)
    {
        var psi = new ProcessStartInfo("/bin/sh", ["-c", command + " 2>&1"]) { RedirectStandardOutput = true };
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, output);
    }

    static string Host(string command)
    {
        var (exit, output) = Sh(command);
        Assert.True(exit == 0, $"{command}: {output}");
        return output;
    }

    /// <summary>Children of the parent left on the host (a macvlan shows as NAME@PARENT; the veth peer does too).</summary>
    string ChildrenOnHost() => string.Join(" ", Host("ip -o link show").Split('\n').Where(l => l.Contains($"@{Parent}:"))
        .Select(l => l.Split(':')[1].Trim()).Where(n => n != $"{Peer}@{Parent}"));

    Bundle WithChild(string kind, params string[] args)
    {
        var b = new Bundle(args);
        b.Config["annotations"] = new JsonObject
        {
            ["org.rdmarun.rdma.netdev"] = kind,
            ["org.rdmarun.rdma.netdev.link"] = Parent,
            ["org.rdmarun.rdma.netdev.addresses"] = "10.252.7.5/24,fd00:252:7::5/64",
        };
        b.Save();
        return b;
    }

    [Fact]
    public void A_macvlan_child_is_made_in_the_container_with_its_addresses_up_and_capped_and_dies_with_it()
    {
        using var b = WithChild("macvlan", "sleep", "60");
        b.Config["annotations"]!["org.rdmarun.rdma.rate"] = "8mbit";
        b.Save();
        var id = b.NewId("rc");
        var c = b.Rt("--rdma-policy", _policy, "create", id);
        Assert.True(c.ExitCode == 0, c.ToString());
        var pid = JsonNode.Parse(b.Rt("state", id).Stdout)!["pid"]!.GetValue<int>();
        var ns = $"nsenter --net=/proc/{pid}/ns/net";
        var link = Host($"{ns} ip -d -o link show dev roce0");
        Assert.Contains($"roce0@if", link);
        Assert.Contains("macvlan mode bridge", link);
        Assert.Contains("UP", link.Split('<', '>')[1].Split(','));
        var addrs = Host($"{ns} ip -o addr show dev roce0");
        Assert.Contains("inet 10.252.7.5/24", addrs);
        Assert.Contains("inet6 fd00:252:7::5/64", addrs);
        Assert.Contains("qdisc tbf", Host($"{ns} tc qdisc show dev roce0"));
        Assert.Equal("", ChildrenOnHost());
        var d = b.Rt("delete", "--force", id);
        Assert.True(d.ExitCode == 0, d.ToString());
        Assert.Equal("", ChildrenOnHost());
        Assert.True(Sh($"ip link show dev {Parent}").Exit == 0, $"{Parent} is gone");
    }

    [Fact]
    public void The_container_sees_its_child_with_the_requested_name()
    {
        using var b = WithChild("macvlan", "sh", "-c", "ls /sys/class/net; cat /sys/class/net/rdma1/operstate");
        b.Config["annotations"]!["org.rdmarun.rdma.netdev.name"] = "rdma1";
        b.Save();
        var r = b.Rt("--rdma-policy", _policy, "run", b.NewId("rc"));
        Assert.True(r.ExitCode == 0, r.ToString());
        var lines = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["lo", "rdma1"], lines.Take(2));
        Assert.Equal("", ChildrenOnHost());
    }

    [Theory]
    [InlineData("ipvlan", null, "annotation org.rdmarun.rdma.netdev=ipvlan: the policy does not allow ipvlan devices for containers (netdevChildren: [macvlan, vlan]")]
    [InlineData("macvlan", "org.rdmarun.rdma.netdev.name=lo", "annotation org.rdmarun.rdma.netdev: the name lo is taken in the container's network namespace")]
    [InlineData("macvlan", "org.rdmarun.rdma.netdev.addresses=10.252.7.5/24,10.252.7.5/24", "netdev: cannot add address 10.252.7.5/24 to network device roce0: file exists")]
    [InlineData("vlan:100", null, "netdev: cannot create vlan 100 device roce0 on {0} in the container's network namespace: operation not supported")]
    [InlineData("macvlan", "org.rdmarun.rdma.vlan=100", "annotation org.rdmarun.rdma.vlan: the container's macvlan device is not an SR-IOV VF: ask for a tagged child with org.rdmarun.rdma.netdev=vlan:100 instead")]
    [InlineData("macvlan", "org.rdmarun.rdma.netdev.link=eth9", "annotation org.rdmarun.rdma.netdev.link=eth9: the policy does not list eth9 as a parent")]
    public void Refusals_and_failures_leave_nothing(string kind, string? extra, string message)
    {
        using var b = WithChild(kind, "true");
        if (extra is not null) b.Config["annotations"]![extra.Split('=')[0]] = extra[(extra.IndexOf('=') + 1)..];
        b.Save();
        var id = b.NewId("rc");
        var r = b.Rt("--rdma-policy", _policy, "run", id);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains(string.Format(message, Parent), r.Stderr);
        Assert.Equal(1, b.Rt("state", id).ExitCode);
        Assert.Equal("", ChildrenOnHost());
        Assert.True(Sh($"ip link show dev {Parent}").Exit == 0, $"{Parent} is gone");
    }

    [Fact]
    public void Without_a_policy_entry_no_child_is_made()
    {
        using var b = WithChild("macvlan", "true");
        var other = Path.Combine(Path.GetTempPath(), $"rdma-policy-none-{_tag}.json");
        File.WriteAllText(other, "{}");
        try
        {
            var r = b.Rt("--rdma-policy", other, "run", b.NewId("rc"));
            Assert.Equal(1, r.ExitCode);
            Assert.Contains($"annotation org.rdmarun.rdma.netdev=macvlan: the policy does not allow macvlan devices for containers (netdevChildren: [], {other})", r.Stderr);
        }
        finally { File.Delete(other); }
    }

    [FaultFact]
    public void Delete_force_after_a_create_killed_with_the_child_made_leaves_nothing()
    {
        using var b = WithChild("macvlan", "true");
        var id = b.NewId("rf");
        var r = FaultBinary.For(b).RunWith(b.Dir, FaultBinary.At("create.after-netdev-move"), "--rdma-policy", _policy, "create", id);
        Assert.True(r.ExitCode == 137, $"rdmarun did not die at create.after-netdev-move: {r}");
        var d = b.Rt("delete", "--force", id);
        Assert.True(d.ExitCode == 0, d.ToString());
        Assert.Equal(1, b.Rt("state", id).ExitCode);
        Assert.Equal("", ChildrenOnHost());
    }
}
