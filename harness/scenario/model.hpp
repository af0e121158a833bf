#pragma once
// The scenario model: plain data, no TOML++ types. Every element remembers where it was written
// so that errors and reports can point into the file.

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/ip.hpp"

namespace nscheck::scenario {

/// A position in the scenario file (1-based; 0 = unknown).
struct Loc {
  int line = 0;
  int column = 0;
};

/// One sysctl assignment, "net.ipv4.ip_forward" = "1".
struct Sysctl {
  std::string key;    ///< dotted, always starting with "net."
  std::string value;  ///< as written to /proc/sys
  Loc loc;
};

/// What a route does with the packets it matches, as `ip route add TYPE PREFIX` writes it.
enum class RouteType { unicast, blackhole, unreachable, prohibit };

/// One path of a multipath route: "nexthop via ADDR dev IF weight N onlink".
struct NextHop {
  std::optional<IpAddress> gateway;  ///< "via"
  std::string device;                ///< "dev" ("" = chosen by the kernel from the gateway)
  int weight = 1;                    ///< "weight", 1..256
  bool onlink = false;               ///< "onlink": the gateway is on the link even without a subnet
};

/// A route in a node. Text forms: "[TYPE] default via X", "PREFIX via X", "PREFIX dev IF",
/// with optional "dev IF", "onlink", "src ADDR", "metric N", "table T" and, last, one or more
/// "nexthop via X dev IF weight N".
struct Route {
  RouteType type = RouteType::unicast;
  Prefix destination;                 ///< 0.0.0.0/0 for "default"
  std::optional<IpAddress> gateway;   ///< "via"
  std::string device;                 ///< "dev" ("" = chosen by the kernel from the gateway)
  std::optional<IpAddress> source;    ///< "src": preferred source address
  std::optional<std::uint32_t> metric;
  bool onlink = false;            ///< "onlink" (with via and dev)
  std::string table;              ///< "table": "" = main, a number, or a name from the node's tables
  std::vector<NextHop> nexthops;  ///< ECMP paths (then gateway and device are empty)
  std::string text;                   ///< as written, for messages
  Loc loc;
};

/// A policy routing rule, as `ip rule add` writes it: "from 192.0.2.0/24 table 100 priority 1000".
struct Rule {
  std::optional<Prefix> from;  ///< "from PREFIX" ("all" = none)
  std::optional<Prefix> to;    ///< "to PREFIX" ("all" = none)
  std::optional<std::uint32_t> fwmark;
  std::optional<std::uint32_t> fwmask;  ///< "fwmark MARK/MASK"
  std::string iif;                      ///< "iif IFNAME": packets that came in there ("lo": sent by the node)
  std::string oif;                      ///< "oif IFNAME": sockets bound to that interface
  std::optional<std::uint32_t> priority;
  std::string table;  ///< "table T" (or "lookup T"): a number or a name from the node's tables
  std::string text;   ///< as written, for messages
  Loc loc;
};

/// What an interface is: a veth end, the node's lo, or a bridge of the node.
enum class IfaceKind { veth, loopback, bridge };

/// A MAC address, "02:00:00:00:00:01".
using Mac = std::array<std::uint8_t, 6>;

/// An interface of a node: one end of a veth link, lo (with "loopback" addresses) or a bridge.
struct Interface {
  std::string name;
  IfaceKind kind = IfaceKind::veth;
  std::vector<Prefix> addresses;
  std::optional<std::uint32_t> mtu;  ///< "mtu" (ip link set IF mtu N)
  std::optional<Mac> mac;            ///< "mac" (ip link set IF address MAC)
  bool up = true;                    ///< "up = false": left down
  std::vector<std::string> ports;    ///< a bridge's ports: veth ends of the same node
  std::string link_peer;             ///< "node:ifname" at the other end of the veth
  Loc loc;
};

/// What a probe sends: ICMP echo (ICMPv6 for IPv6 targets), or TCP or UDP to a port.
struct ProbeSpec {
  enum class Kind : std::uint8_t { icmp, tcp, udp };  // one byte: a stage may hold 100,000 of them
  Kind kind = Kind::icmp;
  std::uint16_t port = 0;  ///< tcp and udp

  /// "icmp", "tcp/80", "udp/53": as written in scenarios.
  [[nodiscard]] std::string text() const {
    if (kind == Kind::icmp) return "icmp";
    return (kind == Kind::tcp ? "tcp/" : "udp/") + std::to_string(port);
  }
  auto operator<=>(const ProbeSpec&) const = default;
};

/// A TCP or UDP port a node declares (`listen` or `services`).
struct PortDecl {
  ProbeSpec probe;
  Loc loc;
};

/// An nftables ruleset in nft syntax, applied in one node as one atomic batch (libnftables).
struct NftRuleset {
  std::string text;  ///< the rules; for a file, filled by load_scenario from `path`
  std::string path;  ///< "" inline; else the .nft file, relative to the scenario's directory
  Loc loc;           ///< where it is written in the scenario
  Loc text_start;    ///< inline: where the rule text's first line starts in the scenario file
};

/// The short forms of the common NAT rules, compiled to nftables (table inet nscheck_nat).
struct NatRule {
  enum class Kind {
    masquerade,  ///< iptables -t nat -A POSTROUTING -s FROM -o OUT -j MASQUERADE
    snat,        ///< ... -j SNAT --to-source TO
    dnat,        ///< iptables -t nat -A PREROUTING -i IN -p PROTO --dport PORT -j DNAT --to-destination TO:TO_PORT
  };
  Kind kind = Kind::masquerade;
  std::optional<Prefix> from;     ///< masquerade, snat: source prefix (none = any)
  std::string out;                ///< masquerade, snat: outgoing interface ("" = any)
  std::string in;                 ///< dnat: incoming interface ("" = any)
  std::string proto;              ///< dnat: "tcp" or "udp"
  std::uint16_t port = 0;         ///< dnat: destination port matched
  std::optional<IpAddress> to;    ///< snat: new source; dnat: new destination
  std::uint16_t to_port = 0;      ///< dnat: new destination port (0 = unchanged)
  Loc loc;
};

/// A network namespace.
struct Node {
  std::string name;
  std::vector<Interface> interfaces;
  std::vector<Route> routes;
  std::vector<Sysctl> sysctls;  ///< in the order written
  /// Built-in listeners opened in every stage, whatever the stage probes: where a DNAT
  /// delivers, the port differs from the one probed.
  std::vector<PortDecl> listen;
  /// Ports a service of the user's own answers: no built-in listener is opened there, and
  /// nothing is seen (TCP: the handshake is the answer; UDP: any datagram back).
  std::vector<PortDecl> services;
  std::vector<NftRuleset> nft;  ///< applied once the links are up, in order
  std::vector<NatRule> nat;     ///< compiled and applied after `nft`
  std::map<std::string, std::uint32_t> tables;  ///< "tables = { isp1 = 100 }": names of route tables
  std::vector<Rule> rules;                      ///< policy routing rules, in the order written
  bool is_switch = false;                       ///< "switch = true": every veth end is a port of bridge br0
  Loc loc;
};

/// One end of a veth link (its addresses live in the node's Interface of that name).
struct LinkEnd {
  std::string node;
  std::string ifname;
  Loc loc;
};

/// A veth pair between two nodes.
struct Link {
  LinkEnd a;
  LinkEnd b;
  Loc loc;
};

/// What a cell is expected to do (one byte: a stage may hold 100,000 of them).
enum class Verdict : std::uint8_t { ok, ng };


/// What a probe aims at. (Members ordered by alignment: a stage holds up to 100,000 of them.)
struct Target {
  enum class Kind { node, interface, address };
  std::string node;     ///< for node and interface targets
  std::string ifname;   ///< for interface targets
  std::string text;     ///< as written: "ns2", "ns2:ns2-veth0", "198.51.100.1"
  IpAddress address;    ///< for address targets
  Kind kind = Kind::node;
};

/// One expectation: from a source node to a target, with an optional source binding.
/// (Members ordered by alignment: a stage holds up to 100,000 of them.)
struct Expectation {
  std::string from;
  Target to;
  std::string source;  ///< "" or an interface name or an address of `from` (like ping -I)
  /// tcp and udp, expect OK: the node whose built-in listener must have answered (after DNAT)
  std::string answered_by;
  Loc loc;  ///< the cell (matrix), the [[stages.check]], or the "all OK" / default value
  ProbeSpec probe;
  Verdict expect = Verdict::ok;
  /// tcp and udp, expect OK: the source address the destination must have seen (after NAT)
  std::optional<IpAddress> seen_from;
};

/// How a stage's cells of one probe kind are laid out as a matrix in reports.
struct MatrixLayout {
  ProbeSpec probe;
  std::vector<std::string> rows;     ///< source nodes in display order
  std::vector<std::string> columns;  ///< targets as written, in display order
};

/// A sysctl change in a stage, for one node.
struct StageSysctl {
  std::string node;
  Sysctl sysctl;
};

/// Probe timing for a stage.
struct ProbeSettings {
  std::chrono::milliseconds deadline{500};  ///< every probe of the stage ends by then
  int count = 2;  ///< echo requests per cell at most; an NG is confirmed by the second
};

/// A route added by a stage, in one node.
struct StageRoute {
  std::string node;
  Route route;
};

/// One change a stage makes to one node before its probes ([[stages.change]]).
struct Change {
  enum class Kind {
    sysctl,       ///< sysctls (in order)
    route_add,    ///< ip route add
    route_del,    ///< ip route del
    nft,          ///< an nftables batch, added to the node's ruleset
    nft_replace,  ///< flush ruleset + a new one, in one batch
    nft_flush,    ///< flush ruleset
    nat,          ///< a masquerade / snat / dnat short form
    link_up,      ///< ip link set IF up (and wait until it is operationally up)
    link_down,    ///< ip link set IF down
    link_mtu,     ///< ip link set IF mtu N
  };
  Kind kind = Kind::sysctl;
  std::string node;
  std::vector<Sysctl> sysctls;  ///< sysctl
  std::optional<Route> route;   ///< route_add, route_del
  NftRuleset nft;               ///< nft, nft_replace
  NatRule nat;                  ///< nat
  std::string ifname;           ///< link_up, link_down, link_mtu
  Loc ifname_loc;               ///< where ifname is written
  std::uint32_t mtu = 0;        ///< link_mtu
  Loc loc;
};

/// A stage: changes to apply, then expectations to check.
struct Stage {
  std::string name;
  std::vector<StageSysctl> sysctls;          ///< applied in order, before the probes
  std::vector<StageRoute> routes;            ///< added after the sysctls, in order
  std::vector<Change> changes;               ///< [[stages.change]], after sysctl and routes, in order
  std::vector<Expectation> expectations;     ///< matrix, per-pair and default cells, resolved
  std::vector<MatrixLayout> matrices;        ///< one per probe kind, in the order first written
  ProbeSettings probe;
  Loc loc;
};

/// A whole scenario file.
struct Scenario {
  std::string path;  ///< as given on the command line
  std::string name;
  std::vector<Node> nodes;
  std::vector<Link> links;
  std::vector<Stage> stages;
  /// name -> index in nodes, filled by the loader once nodes are final; while it does not cover
  /// every node, find_node searches the vector (a scenario has up to 1000 nodes and 100000 cells)
  std::map<std::string, std::size_t> node_index;

  /// The node of that name, or nullptr.
  [[nodiscard]] const Node* find_node(const std::string& name) const;
};

}  // namespace nscheck::scenario
