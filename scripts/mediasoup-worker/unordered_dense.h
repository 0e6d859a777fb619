// <ankerl/unordered_dense.h> for the mediasoup worker, mapped onto the C++ standard library.
//
// Why this file exists: since 3.20.1 the mediasoup worker includes martinus/unordered_dense
// (a header-only hash map) through a meson wrap that downloads it from GitHub. Debian packages it
// nowhere of its own (sid's libtulip-dev happens to carry a copy, which would tie the worker to
// a package of another project moving with sid). mediasoup uses exactly three names from it:
// ankerl::unordered_dense::map, ::set and ::hash (no values(), extract(), replace() or other
// extension: scripts/mediasoup-worker.mjs checks that at build time and stops when a future
// mediasoup uses more). This header provides those three names.
//
// Why std::unordered_map/set and not absl::flat_hash_map: the standard containers give everything
// the dense containers promise and more (references and iterators to other elements stay valid
// across erase; erase(iterator) returns the next iterator). absl::flat_hash_map's erase(iterator)
// returns void and abseil is in the worker only for the bundled libwebrtc, which upstream plans to
// drop. The per-packet lookups (SSRC -> stream, producer -> consumers) are a few per packet; the
// capacity bench (README, Benchmarks) measures the worker with this header.
//
// ankerl::unordered_dense::hash is kept close to the original: integers, enums and pointers are
// mixed with the same 128-bit multiply (wyhash "mum") the original uses, so mediasoup's
// HashCombine() of several small fields (PortManager, TransportTuple) spreads well; other types
// (std::string, ...) use std::hash.
//
// When it can go: when Debian (bookworm-backports or the next stable release the project moves to)
// ships unordered_dense, or mediasoup stops using it; then shim the Debian package instead.
#ifndef CLOUDSHIP_ANKERL_UNORDERED_DENSE_H
#define CLOUDSHIP_ANKERL_UNORDERED_DENSE_H

#include <cstdint>
#include <functional>
#include <memory>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>
#include <utility>

namespace ankerl::unordered_dense
{
	namespace detail
	{
		inline std::uint64_t mix(std::uint64_t value) noexcept
		{
			const auto product =
			  static_cast<unsigned __int128>(value) * static_cast<unsigned __int128>(0x9E3779B97F4A7C15ULL);

			return static_cast<std::uint64_t>(product) ^ static_cast<std::uint64_t>(product >> 64);
		}
	} // namespace detail

	template<typename T, typename Enable = void>
	struct hash
	{
		std::size_t operator()(const T& value) const noexcept(noexcept(std::hash<T>{}(value)))
		{
			return std::hash<T>{}(value);
		}
	};

	template<typename T>
	struct hash<T, std::enable_if_t<std::is_integral_v<T> || std::is_enum_v<T> || std::is_pointer_v<T>>>
	{
		using is_avalanching = void;

		std::size_t operator()(const T& value) const noexcept
		{
			if constexpr (std::is_pointer_v<T>)
			{
				return static_cast<std::size_t>(detail::mix(reinterpret_cast<std::uintptr_t>(value)));
			}
			else
			{
				return static_cast<std::size_t>(detail::mix(static_cast<std::uint64_t>(value)));
			}
		}
	};

	template<
	  class Key,
	  class T,
	  class Hash      = hash<Key>,
	  class KeyEqual  = std::equal_to<Key>,
	  class Allocator = std::allocator<std::pair<const Key, T>>>
	using map = std::unordered_map<Key, T, Hash, KeyEqual, Allocator>;

	template<class Key, class Hash = hash<Key>, class KeyEqual = std::equal_to<Key>, class Allocator = std::allocator<Key>>
	using set = std::unordered_set<Key, Hash, KeyEqual, Allocator>;
} // namespace ankerl::unordered_dense

#endif
