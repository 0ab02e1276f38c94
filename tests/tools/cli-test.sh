#!/usr/bin/env bash
# The tessera command on good and bad input: every malformed argument or batch line must exit
# with code 2 and a message, never crash (a signal gives a code above 128); good input must work.
# Usage: cli-test.sh PATH/TO/tessera
set -u
# TESSERA_WRAPPER (e.g. an emulator for a cross build) runs before the binary when set.
tessera_binary=$1
tessera() { ${TESSERA_WRAPPER:-} "$tessera_binary" "$@"; }
passed=0 failed=0
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

expect() { # expect CODE ARGS... : run tessera, compare the exit code
  local want=$1; shift
  tessera "$@" >"$scratch/out" 2>"$scratch/err"
  local got=$?
  if [ "$got" -eq "$want" ] && { [ "$want" -eq 0 ] || [ -s "$scratch/err" ]; }; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAIL: tessera $* exited $got, expected $want"; head -3 "$scratch/err"
  fi
}

expect 0 version
expect 0 --help
expect 0 bench --help
expect 0 info --threads=1
grep -q "f32 FMA peak" "$scratch/out" || { failed=$((failed + 1)); echo "FAIL: info prints no peak"; }
expect 0 bench eltwise --mode=check --threads=2 2x3x5x7 '--alg=clamp' '--alpha=-1' '--beta=2' '1x9x4x4n"small"' '--tag=nchw8c' 1x17x3x3
expect 0 bench eltwise --mode=both --format=csv --threads=1 1x8x8x8
head -2 "$scratch/out" | tail -1 | grep -q '^op,problem,threads,tessera_ms,tessera_gflops,onednn_ms,onednn_gflops,ratio,pct_peak,max_abs_err,status' \
  || { failed=$((failed + 1)); echo "FAIL: csv header"; }
expect 0 bench eltwise --mode=check --alg=gelu_erf 3x77 --alg=swish --alpha=0.5 2x9 --alg=log 5x5 \
  --alg=softplus --alpha=2 4x4 --alg=hard_sigmoid --alpha=0.2 --beta=0.5 3x3
expect 2 bench eltwise --mode=check --alg=softplus --alpha=0 3x3
# TESSERA_VERBOSE=1: a line per op run naming the kernel, shapes, status and time (eltwise's
# check runs the op even in a build without oneDNN)
TESSERA_VERBOSE=1 expect 0 bench eltwise --mode=check 2x19x9x9
grep -q '^tessera_verbose,exec,eltwise:relu impl=tsr_f32_vclamp_ukernel__[a-z0-9_]* isa=[a-z0-9]*,src:2x19x9x9:plain,dst:2x19x9x9:plain,success,[0-9.]* ms$' "$scratch/err" \
  || { failed=$((failed + 1)); echo "FAIL: TESSERA_VERBOSE=1 printed no exec line"; head -3 "$scratch/err"; }
printf '# a comment\n--alg=relu\n\n2x3x4x5n"from.batch"   # trailing comment\n--alg=clip\n--beta=1\n3x3x3\n' >"$scratch/good.txt"
expect 0 bench eltwise --mode=check "--batch=$scratch/good.txt"
grep -q 'from.batch' "$scratch/out" || { failed=$((failed + 1)); echo "FAIL: batch problem not run"; }

expect 2
expect 2 frobnicate
expect 2 info --threads=x
expect 2 bench conv2000
expect 2 bench 3x4
for bad in '' 'x' '3x' '0x5' '-1' '3xx4' 'n"name"' '3n"unterminated' '3n"a"tail' '1x2x3x4x5x6x7x8x9' \
           '99999999999999999' '3x4;rm' '--alg=' '--alg=tanhh' '--alpha=abc' '--beta=1e99' '--foo=1' \
           '--alg' '--=3' '--tag=nchw2c' '--threads=0' '--threads=-3' '--threads=99999' '--mb=0' \
           '--mode=fast' '--format=xml' '--batch=/nonexistent/file' "$(printf '\001\377')" \
           "$(head -c 3000 /dev/zero | tr '\0' '7')"; do
  expect 2 bench eltwise --mode=check "$bad"
done
# matmul: good problems run and check exactly; malformed ones are refused.
expect 0 bench matmul --mode=check --threads=2 7x13:13x5 '1x64:64x33n"gemv"' 20x3:3x17
for bad in '3x4:5x6' '3x4' '3x4:4x5:5x6' ':' '3x4:' 'x4:4x5' '3x4:4x5x6' '0x4:4x5' '--alg=relu' \
           '99999x99999:99999x99999'; do
  expect 2 bench matmul --mode=check "$bad"
done
# Binary ops: good problems (broadcasts, every op, ReLU post-op, nhwc) check exactly; malformed
# ones are refused.
expect 0 bench binary --mode=check --threads=2 2x3x5x7:2x3x5x7 '2x3x5x7:1x3x1x1n"bcast"' --alg=sub 9x1:1x7 \
  --alg=div 4x4:1x1 --alg=max --post=relu 3x17:3x17 --alg=min --tag=nhwc 2x5x3x3:2x5x1x1
for bad in '3x4' '3x4:3x5' '3x4:3' '3x4:3x4:3x4' ':' '3x4:' '0x4:1x4' '--alg=pow' '--post=gelu' '--tag=nchw8c'; do
  expect 2 bench binary --mode=check "$bad"
done
# Resize: padding (sides or output sizes), nearest and linear at any ratio, 1-D to 3-D, check
# against the reference loops; malformed ones are refused.
expect 0 bench resize --mode=check --threads=2 --alg=pad mb2ic3ih5ph1 ic2ih4iw3oh7ow5ph1pw0 \
  --alg=nearest ic3ih5oh11 --tag=nhwc mb2ic4id2ih3iw4od3oh5ow9 --alg=linear ic5iw7ow20 ic3ih9oh4
for bad in 'ic3ih5' '--alg=cubic' 'ic3ih5oh9kh3' 'ic3ih5oh9sh2' 'ih5oh9' 'ic3ih5oh9ph1' 'ic3ih5oh9oc4' '--tag=nchw8c'; do
  expect 2 bench resize --mode=check "$bad"
done
# Normalizations: good problems check; malformed ones are refused.
expect 0 bench lnorm --mode=check 7x33 2x3x5
expect 0 bench bnorm --mode=check --tag=nhwc mb2ic5ih3iw4 mb1ic3
expect 0 bench gnorm --mode=check g2mb2ic6ih3 g4mb1ic4ih2iw3id2
expect 2 bench gnorm --mode=check g3mb1ic4ih2
expect 2 bench gnorm --mode=check mb1ic4ih2
expect 2 bench bnorm --mode=check g2mb1ic4ih2
expect 2 bench bnorm --mode=check mb1ih2
expect 2 bench lnorm --mode=check 7
expect 2 bench bnorm --mode=check --tag=nchw8c mb1ic8ih2
# Convolution: benchdnn forms (1-D, 2-D, 3-D, groups, dilation) check; malformed ones are refused.
expect 0 bench conv --mode=check ic3ih9oc4oh9kh3ph1 g2mb2ic4iw9oc6ow9kw3pw1 mb1ic3id5ih6iw7oc4kd2kh3kw2sd2dh1pw1
expect 0 bench conv --mode=check --tag=nhwc g4ic4ih7oc4oh7kh3ph1 ic2ih11oc3oh5kh3sh2dh1
# Blocked layouts: one group (direct and Winograd) and depthwise run; other groups are refused.
expect 0 bench conv --mode=check --tag=nchw16c ic3ih9oc20oh9kh3ph1 mb2ic17ih8oc33oh8kh3ph1 g24ic24ih9oc24oh5kh3sh2ph1
expect 0 bench conv --mode=check --tag=nchw8c --alg=wino mb2ic16ih12oc24oh12kh3ph1
expect 1 bench conv --mode=check --tag=nchw8c g2ic8ih7oc8oh7kh3ph1
expect 1 bench conv --mode=perf --tag=nchw4c g2ic8ih7oc8oh7kh3ph1
for bad in 'ic3oc4' 'ih9oc4kh3' 'ic3ih9oc4oh7kh3ph1x' 'g3ic4ih9oc6kh3' 'ic3ih2oc4kh5' 'ic3ih9oc4sh0kh3' \
           'ic3ih9oc4oh0kh3' 'ic3ih9ic3oc4kh3' 'ic0ih9oc4kh3'; do
  expect 2 bench conv --mode=check "$bad"
done
# Transposed convolution: the same forms, oh being the output; a given oh past the padding's
# output becomes output padding; one that cannot be reached is refused.
expect 0 bench deconv --mode=check ic16ih14oc16oh28kh4sh2ph1 g2ic8oc6ih5iw7kh3kw2sh2sw3dh1ph1 ic3iw9oc5kw3sw2
expect 0 bench deconv --mode=check --tag=nhwc mb2ic4id3ih3iw3oc4od6kd4sd2pd1 g4ic8oc8ih7oh14kh3sh2ph1 ic2ih5oc2oh10kh3sh2ph1
for bad in 'ic3ih9oc4oh30kh3' 'ic3ih9oc4oh12kh3' 'g3ic4ih9oc6kh3' 'ic3ih1oc4kh1ph1'; do
  expect 2 bench deconv --mode=check "$bad"
done
# Pooling: the shared set's forms check; malformed ones are refused.
expect 0 bench pool --mode=check --alg=avg_np mb2ic3ih9oh5kh3sh2ph1 --alg=max --tag=nhwc mb1ic4id4ih4iw4kd2kh2kw2sd2sh2sw2 ic2iw7kw3
for bad in '--alg=min' 'mb1ih9kh3' 'ic3ih9oh3kh3' 'ic3ih9kh3ph2' 'ic3ih2kh5' 'ic3ih9kh3dh1'; do
  expect 2 bench pool --mode=check "$bad"
done
# The clamp bounds are checked when the problem is, before anything runs.
expect 2 bench eltwise --mode=check --alg=clamp --alpha=3 --beta=1 2x2
# Garbage batch files: binary noise, an over-long line, a line with two problems.
head -c 4096 /dev/urandom >"$scratch/noise.txt"
expect 2 bench eltwise --mode=check "--batch=$scratch/noise.txt"
{ printf '2x2 3x3\n'; } >"$scratch/two.txt"
expect 2 bench eltwise --mode=check "--batch=$scratch/two.txt"
head -c 5000 /dev/zero | tr '\0' '8' >"$scratch/long.txt"
expect 2 bench eltwise --mode=check "--batch=$scratch/long.txt"
# Random argument strings: exit 0 or 2, never a crash.
for i in $(seq 1 200); do
  arg=$(head -c $((i % 40 + 1)) /dev/urandom | tr -d '\0')
  tessera bench eltwise --mode=check "$arg" >/dev/null 2>&1
  code=$?
  if [ $code -ne 0 ] && [ $code -ne 2 ]; then failed=$((failed + 1)); echo "FAIL: random argument exited $code"; fi
done
passed=$((passed + 1))

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
