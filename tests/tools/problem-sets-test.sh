#!/usr/bin/env bash
# Every shared problem set in check mode: tessera against the reference and oneDNN, each problem
# must report ok. Usage: problem-sets-test.sh PATH/TO/tessera PROBLEMS_DIR
set -u
tessera=$1 problems=$2
passed=0 failed=0
for pair in matmul:matmul lnorm:lnorm bnorm:bnorm gnorm:gnorm pool:pool conv:conv_resnet18 conv:conv_resnet50 \
            conv:conv_mobilenetv2 attn:attn rnn:rnn; do
  op=${pair%%:*} set=${pair#*:}
  if "$tessera" bench "$op" --mode=check --format=csv "--batch=$problems/$set.txt" >/tmp/tessera-sets.$$ 2>&1; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAIL: $set"; grep -v ',ok,' /tmp/tessera-sets.$$ | head -5
  fi
done
rm -f /tmp/tessera-sets.$$
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
