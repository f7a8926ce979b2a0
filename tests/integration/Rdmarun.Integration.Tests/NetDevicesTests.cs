using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Rdmarun.Integration.Tests;

/// <summary>
/// linux.netDevices with real devices on this host: a veth end moves into a container renamed, with its
/// addresses, up; the kernel destroys a veth (any virtual device) with the namespace, so after delete both
/// ends are gone. Refusals and a failed move leave the host's device as it was. A physical NIC's return is
/// covered in the kernel lab (tests/kernel-lab), which has one to give.
/// </summary>
public sealed class NetDevicesTests : IDisposable
{
    readonly string _tag = Guid.NewGuid().ToString("N")[..6];
    string Outer => $"rdo{_tag}";   // stays on the host
    string Inner => $"rdi{_tag}";   // given to the container
    string Bridge => $"rdb{_tag}";

    public NetDevicesTests() => MakePair();

    /// <summary>A fresh veth pair; the inner end with two addresses, both ends up.</summary>
    void MakePair()
    {
        Host($"ip link add {Outer} type veth peer name {Inner}");
        Host($"ip addr add 10.251.7.2/24 dev {Inner}");
        Host($"ip addr add fd00:251:7::2/64 dev {Inner}");
        Host($"ip link set {Inner} up");
        Host($"ip link set {Outer} up");
    }

    public void Dispose()
    {
        Sh($"ip link del {Outer}; ip link del {Inner}; ip link del {Bridge}");
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

    bool OnHost(string name) => Sh($"ip link show dev {name}").Exit == 0;

    Bundle WithDevices(JsonObject devices, params string[] args)
    {
        var b = new Bundle(args);
        b.Linux["netDevices"] = devices;
        b.Save();
        return b;
    }

    static bool Eventually(Func<bool> condition)
    {
        for (var i = 0; i < 100; i++)
        {
            if (condition()) return true;
            Thread.Sleep(50);
        }
        return condition();
    }

    [Fact]
    public void A_veth_end_moves_in_renamed_up_with_its_addresses_and_dies_with_the_namespace()
    {
        var mac = File.ReadAllText($"/sys/class/net/{Inner}/address").Trim();
        using var b = WithDevices(new JsonObject { [Inner] = new JsonObject { ["name"] = "net0" } },
            "sh", "-c", "busybox ip -o addr show dev net0; cat /sys/class/net/net0/operstate /sys/class/net/net0/address /sys/class/net/net0/flags; ls /sys/class/net");
        var id = b.NewId("nd");
        var r = b.Rt("run", id);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("inet 10.251.7.2/24 brd 10.251.7.255 scope global net0", r.Stdout);
        Assert.Contains("inet6 fd00:251:7::2/64 scope global", r.Stdout);
        var lines = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("up", lines);
        Assert.Contains(mac, lines);
        Assert.Equal(["lo", "net0"], lines.SkipWhile(l => l != "lo").Take(2));
        Assert.False(OnHost(Inner));
        // The container is deleted: its netns died and the kernel destroyed the veth pair, host end included.
        Assert.True(Eventually(() => !OnHost(Outer)), $"{Outer} is still on the host after delete");
    }

    [Fact]
    public void A_created_container_holds_the_device_until_delete()
    {
        using var b = WithDevices(new JsonObject { [Inner] = new JsonObject() }, "true");
        var id = b.NewId("nd");
        var c = b.Rt("create", id);
        Assert.True(c.ExitCode == 0, c.ToString());
        Assert.False(OnHost(Inner));
        var pid = JsonNode.Parse(b.Rt("state", id).Stdout)!["pid"]!.GetValue<int>();
        // Kept its name (no "name" given) inside the container's netns.
        Assert.Contains($"{Inner}@", Host($"nsenter --net=/proc/{pid}/ns/net ip -o link show dev {Inner}"));
        var d = b.Rt("delete", id);
        Assert.True(d.ExitCode == 0, d.ToString());
        Assert.True(Eventually(() => !OnHost(Outer)), $"{Outer} is still on the host after delete");
    }

    [Fact]
    public void A_second_device_absent_refuses_create_and_leaves_the_first_on_the_host()
    {
        using var b = WithDevices(new JsonObject { [Inner] = new JsonObject { ["name"] = "net0" }, [$"rdn{_tag}"] = new JsonObject() }, "true");
        var id = b.NewId("nd");
        var r = b.Rt("run", id);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains($"netdev: linux.netDevices.rdn{_tag}: network device rdn{_tag} does not exist in the host network namespace", r.Stderr);
        AssertInnerAsBefore();
        Assert.Equal(1, b.Rt("state", id).ExitCode);
    }

    [Fact]
    public void A_move_the_kernel_refuses_brings_the_moved_device_back_as_it_was()
    {
        // A bridge is netns-local: the kernel refuses to move it (EINVAL), after the veth end has moved.
        Host($"ip link add {Bridge} type bridge");
        using var b = WithDevices(new JsonObject { [Inner] = new JsonObject { ["name"] = "net0" }, [Bridge] = new JsonObject() }, "true");
        var id = b.NewId("nd");
        var r = b.Rt("run", id);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains($"netdev: cannot move network device {Bridge} into the container's network namespace: invalid argument", r.Stderr);
        AssertInnerAsBefore();
        Assert.True(OnHost(Bridge));
    }

    [Fact]
    public void A_name_taken_in_the_container_is_refused()
    {
        using var b = WithDevices(new JsonObject { [Inner] = new JsonObject { ["name"] = "lo" } }, "true");
        var r = b.Rt("run", b.NewId("nd"));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains($"netdev: linux.netDevices.{Inner}: the name lo is taken in the container's network namespace", r.Stderr);
        AssertInnerAsBefore();
    }

    [Fact]
    public void Without_a_network_namespace_the_spec_is_refused()
    {
        using var b = WithDevices(new JsonObject { [Inner] = new JsonObject() }, "true");
        var ns = b.Linux["namespaces"]!.AsArray();
        ns.Remove(ns.First(n => n!["type"]!.GetValue<string>() == "network"));
        b.Save();
        var r = b.Rt("run", b.NewId("nd"));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("linux.netDevices", r.Stderr);
        Assert.Contains("unable to move network devices without a network namespace", r.Stderr);
        AssertInnerAsBefore();
    }

    Bundle WithRate(string? rate, params string[] args)
    {
        var b = WithDevices(new JsonObject { [Inner] = new JsonObject { ["name"] = "net0" } }, args);
        if (rate is not null)
        {
            b.Config["annotations"] = new JsonObject { ["org.rdmarun.rdma.rate"] = rate };
            b.Save();
        }
        return b;
    }

    [Fact]
    public void A_rate_annotation_puts_a_token_bucket_on_the_container_netdev()
    {
        using var b = WithRate("8mbit", "true");
        var id = b.NewId("nq");
        var c = b.Rt("create", id);
        Assert.True(c.ExitCode == 0, c.ToString());
        var pid = JsonNode.Parse(b.Rt("state", id).Stdout)!["pid"]!.GetValue<int>();
        var qdisc = Host($"nsenter --net=/proc/{pid}/ns/net tc qdisc show dev net0");
        Assert.Matches(@"qdisc tbf \S+ root .*rate 8Mbit burst 16Kb", qdisc);
        Assert.Equal(0, b.Rt("delete", id).ExitCode);
    }

    /// <summary>
    /// Seconds until the host end has received 2 MiB the container pushed over TCP. Timed on the receiving
    /// side: the sender's exit does not mean its data has left (it is still queued in the tbf), so the
    /// container waits a little after sending to keep its netns alive.
    /// </summary>
    double TimedTransfer(string? rate)
    {
        if (!OnHost(Inner)) MakePair(); // the last run's netns took the pair with it
        Host($"ip addr replace 10.251.7.1/24 dev {Outer}");
        var port = 20000 + Random.Shared.Next(20000);
        using var listener = Process.Start(new ProcessStartInfo("busybox", ["nc", "-l", "-p", $"{port}"])
        {
            RedirectStandardOutput = true,
            RedirectStandardInput = true, // kept open: nc ends the connection when its stdin ends
        })!;
        Thread.Sleep(200);
        using var b = WithRate(rate, "sh", "-c", $"busybox dd if=/dev/zero bs=16k count=128 2>/dev/null | busybox nc 10.251.7.1 {port}; sleep 5");
        var watch = Stopwatch.StartNew();
        var received = Task.Run(() =>
        {
            long total = 0;
            var buffer = new byte[65536];
            int n;
            while ((n = listener.StandardOutput.BaseStream.Read(buffer)) > 0) total += n;
            watch.Stop();
            return total;
        });
        var r = b.Rt("run", b.NewId("nq"));
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.True(received.Wait(TimeSpan.FromSeconds(10)), "the host listener got no end of stream");
        if (!listener.HasExited) listener.Kill();
        Assert.Equal(2L * 1024 * 1024, received.Result);
        return watch.Elapsed.TotalSeconds;
    }

    [Fact]
    public void A_rate_cap_holds_a_tcp_transfer_under_it()
    {
        // 2 MiB at 8 Mbit/s (1 MB/s) takes over 2 s; the same transfer uncapped takes a fraction of that.
        var capped = TimedTransfer("8mbit");
        var free = TimedTransfer(null);
        Assert.True(capped >= 1.8, $"capped transfer took {capped:0.00} s, below what 8mbit allows");
        Assert.True(free < capped / 2, $"uncapped {free:0.00} s vs capped {capped:0.00} s");
    }

    [Theory]
    [InlineData("org.rdmarun.rdma.vlan", "100:5", "annotation org.rdmarun.rdma.vlan: network device {0} is not an SR-IOV VF")]
    [InlineData("org.rdmarun.rdma.sl", "3", "annotation org.rdmarun.rdma.sl=3: an InfiniBand service level cannot be set for a container")]
    [InlineData("org.rdmarun.rdma.rate", "fast", "annotation org.rdmarun.rdma.rate: \"fast\" is not a rate")]
    public void Qos_refusals_leave_the_device_on_the_host(string key, string value, string message)
    {
        using var b = WithDevices(new JsonObject { [Inner] = new JsonObject { ["name"] = "net0" } }, "true");
        b.Config["annotations"] = new JsonObject { [key] = value };
        b.Save();
        var r = b.Rt("run", b.NewId("nq"));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains(string.Format(message, Inner), r.Stderr);
        AssertInnerAsBefore();
    }

    [Fact]
    public void A_rate_without_a_netdev_to_hold_it_is_refused()
    {
        using var b = new Bundle("true");
        b.Config["annotations"] = new JsonObject { ["org.rdmarun.rdma.rate"] = "1gbit" };
        b.Save();
        var r = b.Rt("run", b.NewId("nq"));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("annotation org.rdmarun.rdma.rate: rdmarun enforces RDMA QoS on the container's RoCE netdev, and the spec gives it none: name it in linux.netDevices", r.Stderr);
    }

    [Fact]
    public void A_rate_in_the_hosts_netns_without_a_granted_device_is_refused_before_anything_exists()
    {
        // No network namespace: the cap would go on the granted RDMA device's host netdev (policy hostNetdevs);
        // with no device granted there is none, and create says so instead of capping nothing.
        using var b = new Bundle("true");
        var ns = b.Linux["namespaces"]!.AsArray();
        ns.Remove(ns.First(n => n!["type"]!.GetValue<string>() == "network"));
        b.Config["annotations"] = new JsonObject { ["org.rdmarun.rdma.rate"] = "16mbit" };
        b.Save();
        var id = b.NewId("nh");
        var r = b.Rt("run", id);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("annotation org.rdmarun.rdma.rate: the container shares the host's network namespace and is granted no RDMA device: there is no netdev of its own to cap", r.Stderr);
        Assert.False(Directory.Exists(Path.Combine(b.Runtime.Root, id)));
    }

    [FaultFact]
    public void Delete_force_after_a_create_killed_with_the_device_moved_leaves_nothing()
    {
        using var b = WithDevices(new JsonObject { [Inner] = new JsonObject { ["name"] = "net0" } }, "true");
        var id = b.NewId("nf");
        var r = FaultBinary.For(b).RunWith(b.Dir, FaultBinary.At("create.after-netdev-move"), "create", id);
        Assert.True(r.ExitCode == 137, $"rdmarun did not die at create.after-netdev-move: {r}");
        Assert.False(OnHost(Inner));
        var d = b.Rt("delete", "--force", id);
        Assert.True(d.ExitCode == 0, d.ToString());
        Assert.True(Eventually(() => !OnHost(Outer)), $"{Outer} is still on the host after delete --force");
        Assert.Equal(1, b.Rt("state", id).ExitCode);
    }

    /// <summary>On the host under its own name, up, with both addresses.</summary>
    void AssertInnerAsBefore()
    {
        var addrs = Host($"ip -o addr show dev {Inner}");
        Assert.Contains("inet 10.251.7.2/24", addrs);
        Assert.Contains("inet6 fd00:251:7::2/64", addrs);
        Assert.Contains("UP", Host($"ip -o link show dev {Inner}").Split('<', '>')[1].Split(','));
    }
}
