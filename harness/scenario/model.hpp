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

/// A network namespace.
struct Node {
  std::string name;
  std::vector<Interface> interfaces;
  std::vector<Route> routes;
  std::vector<Sysctl> sysctls;  ///< in the order written
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

/// What a cell is expected to do.
enum class Verdict { ok, ng };

/// Probe kinds. Only ICMP echo today; TCP and UDP are planned (issue 3).
enum class ProbeKind { icmp };

/// What a probe aims at.
struct Target {
  enum class Kind { node, interface, address };
  Kind kind = Kind::node;
  std::string node;     ///< for node and interface targets
  std::string ifname;   ///< for interface targets
  IpAddress address;    ///< for address targets
  std::string text;     ///< as written: "ns2", "ns2:ns2-veth0", "198.51.100.1"
};

/// One expectation: from a source node to a target, with an optional source binding.
struct Expectation {
  std::string from;
  Target to;
  Verdict expect = Verdict::ok;
  ProbeKind probe = ProbeKind::icmp;
  std::string source;  ///< "" or an interface name or an address of `from` (like ping -I)
  Loc loc;
  Loc from_loc;  ///< where `from` is written (a matrix row name, a check's from); 0:0 = loc
  Loc to_loc;    ///< where `to` is written (a matrix header word, a check's to); 0:0 = loc
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

/// A stage: changes to apply, then expectations to check.
struct Stage {
  std::string name;
  std::vector<StageSysctl> sysctls;          ///< applied in order, before the probes
  std::vector<StageRoute> routes;            ///< added after the sysctls, in order
  std::vector<Expectation> expectations;     ///< matrix, per-pair and default cells, resolved
  std::vector<std::string> rows;             ///< source nodes in display order
  std::vector<std::string> columns;          ///< targets as written, in display order
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
