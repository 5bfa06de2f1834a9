import { useQuery, useQueryClient } from '@tanstack/react-query';
import {
  CandlestickSeries,
  ColorType,
  createChart,
  CrosshairMode,
  HistogramSeries,
} from 'lightweight-charts';
import type { IChartApi, ISeriesApi, UTCTimestamp } from 'lightweight-charts';
import { useEffect, useRef, useState } from 'react';
import { priceDecimals } from '../lib/format';
import { pollEvery, POLL_MS, useStreamFallback } from '../lib/live';
import { useSubscription } from '@trpc/tanstack-react-query';
import { useTRPC } from '../lib/trpc';
import type { Candle } from '../lib/types';
import { mergeCandles } from '../lib/candles';
import { ErrorNote, Skeleton } from './ui';

const UP = '#3fb68b';
const DOWN = '#e5534b';
const PAGE = 500;
/** Load older candles once fewer than this many bars are left of the visible range. */
const LOAD_OLDER_MARGIN = 20;

interface Store {
  key: string;
  candles: Candle[];
  loadingOlder: boolean;
  exhausted: boolean;
}

function toBar(c: Candle) {
  return { time: (c[0] / 1000) as UTCTimestamp, open: c[1], high: c[2], low: c[3], close: c[4] };
}
function toVolume(c: Candle) {
  return {
    time: (c[0] / 1000) as UTCTimestamp,
    value: c[5],
    color: c[4] >= c[1] ? 'rgba(63,182,139,0.35)' : 'rgba(229,83,75,0.35)',
  };
}

/** Candles with volume: history from `market.ohlcv`, the forming candle live, older pages on scroll. */
export function PriceChart({
  exchange,
  symbol,
  timeframe,
}: {
  exchange: string;
  symbol: string;
  timeframe: string;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const container = useRef<HTMLDivElement>(null);
  const chart = useRef<IChartApi | null>(null);
  const candleSeries = useRef<ISeriesApi<'Candlestick'> | null>(null);
  const volumeSeries = useRef<ISeriesApi<'Histogram'> | null>(null);
  const key = `${exchange}|${symbol}|${timeframe}`;
  const store = useRef<Store>({ key, candles: [], loadingOlder: false, exhausted: false });
  const [count, setCount] = useState(0);
  const [olderError, setOlderError] = useState<unknown>(null);

  const history = useQuery({
    ...trpc.market.ohlcv.queryOptions({ exchange, symbol, timeframe, limit: PAGE }),
    // a cached history would miss the candles closed while this view was away
    staleTime: 5_000,
    gcTime: 60_000,
  });
  // the forming candle on each change, then each closed one (stream.ohlcv); polled only while the
  // stream is not delivering
  const stream = useSubscription(
    trpc.stream.ohlcv.subscriptionOptions(
      { exchange, symbol, timeframe },
      {
        enabled: history.isSuccess,
        onData(item) {
          if (item.data.type !== 'candle' || store.current.key !== key) return;
          apply([item.data.candle]);
        },
      },
    ),
  );
  const fallback = useStreamFallback(stream.status === 'pending', history.isSuccess);
  const latest = useQuery({
    ...trpc.market.ohlcv.queryOptions({ exchange, symbol, timeframe, limit: 2 }),
    enabled: fallback,
    refetchInterval: pollEvery(POLL_MS.candles),
  });

  // the chart itself lives as long as the component
  useEffect(() => {
    const el = container.current;
    if (!el) return;
    const api = createChart(el, {
      autoSize: true,
      layout: {
        background: { type: ColorType.Solid, color: 'transparent' },
        textColor: '#8b94a3',
        fontSize: 11,
        fontFamily: 'ui-sans-serif, system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
        attributionLogo: false,
      },
      grid: { vertLines: { color: '#151a22' }, horzLines: { color: '#151a22' } },
      crosshair: { mode: CrosshairMode.Normal },
      rightPriceScale: { borderColor: '#232a35' },
      timeScale: { borderColor: '#232a35', timeVisible: true, secondsVisible: false, rightOffset: 4 },
    });
    candleSeries.current = api.addSeries(CandlestickSeries, {
      upColor: UP,
      downColor: DOWN,
      borderVisible: false,
      wickUpColor: UP,
      wickDownColor: DOWN,
    });
    volumeSeries.current = api.addSeries(HistogramSeries, {
      priceFormat: { type: 'volume' },
      priceScaleId: 'volume',
      lastValueVisible: false,
      priceLineVisible: false,
    });
    api.priceScale('volume').applyOptions({ scaleMargins: { top: 0.82, bottom: 0 } });
    candleSeries.current.priceScale().applyOptions({ scaleMargins: { top: 0.08, bottom: 0.22 } });
    chart.current = api;
    return () => {
      api.remove();
      chart.current = null;
      candleSeries.current = null;
      volumeSeries.current = null;
    };
  }, []);

  // a new symbol or timeframe starts from an empty store
  if (store.current.key !== key) {
    store.current = { key, candles: [], loadingOlder: false, exhausted: false };
  }

  const draw = (fit: boolean) => {
    const candles = store.current.candles;
    const last = candles[candles.length - 1];
    if (last) {
      const precision = priceDecimals(last[4]);
      candleSeries.current?.applyOptions({
        priceFormat: { type: 'price', precision, minMove: 10 ** -precision },
      });
    }
    candleSeries.current?.setData(candles.map(toBar));
    volumeSeries.current?.setData(candles.map(toVolume));
    if (fit && candles.length > 0) {
      chart.current?.timeScale().setVisibleLogicalRange({
        from: Math.max(0, candles.length - 120),
        to: candles.length + 3,
      });
    }
    setCount(candles.length);
  };

  /** Live candles: replace the forming one or append; never rewrite history older than the last. */
  function apply(candles: readonly Candle[]) {
    if (store.current.candles.length === 0) return;
    for (const candle of candles) {
      const last = store.current.candles[store.current.candles.length - 1];
      if (last && candle[0] < last[0]) continue;
      if (last && candle[0] === last[0]) store.current.candles[store.current.candles.length - 1] = candle;
      else store.current.candles.push(candle);
      candleSeries.current?.update(toBar(candle));
      volumeSeries.current?.update(toVolume(candle));
    }
    setCount(store.current.candles.length);
  }

  // history for this key
  useEffect(() => {
    if (!history.data || store.current.key !== key) return;
    store.current.candles = mergeCandles([], history.data.candles);
    store.current.exhausted = history.data.candles.length < PAGE;
    draw(true);
  }, [history.data, key]);

  useEffect(() => {
    if (latest.data?.candles) apply(latest.data.candles);
    // apply is stable enough: it reads refs only
  }, [latest.data]);

  // scrolling left loads older candles
  useEffect(() => {
    const api = chart.current;
    if (!api) return;
    const onRange = (range: { from: number; to: number } | null) => {
      const s = store.current;
      if (!range || range.from > LOAD_OLDER_MARGIN || s.loadingOlder || s.exhausted || s.candles.length === 0)
        return;
      const oldest = s.candles[0];
      if (!oldest) return;
      s.loadingOlder = true;
      const requestKey = s.key;
      queryClient
        .fetchQuery({
          ...trpc.market.ohlcv.queryOptions({
            exchange,
            symbol,
            timeframe,
            until: oldest[0] - 1,
            limit: PAGE,
          }),
          staleTime: Infinity,
        })
        .then(
          (older) => {
            if (store.current.key !== requestKey) return;
            const before = store.current.candles.length;
            store.current.candles = mergeCandles(older.candles, store.current.candles);
            store.current.exhausted = store.current.candles.length === before;
            store.current.loadingOlder = false;
            setOlderError(null);
            draw(false);
          },
          (error: unknown) => {
            if (store.current.key === requestKey) store.current.loadingOlder = false;
            setOlderError(error);
          },
        );
    };
    api.timeScale().subscribeVisibleLogicalRangeChange(onRange);
    return () => api.timeScale().unsubscribeVisibleLogicalRangeChange(onRange);
  }, [exchange, symbol, timeframe]);

  return (
    <div className="chart-wrap">
      <div
        ref={container}
        className="chart"
        data-testid="chart"
        data-candles={count}
        data-key={history.data ? key : undefined}
      />
      {history.isPending ? (
        <div className="chart-overlay" aria-busy="true">
          <Skeleton height={240} />
        </div>
      ) : null}
      {history.error ? (
        <div className="chart-overlay">
          <ErrorNote error={history.error} subject={{ exchange, symbol }} />
        </div>
      ) : null}
      {olderError ? (
        <div className="chart-note">
          <ErrorNote error={olderError} subject={{ exchange, symbol }} compact />
        </div>
      ) : null}
    </div>
  );
}
