package org.worldserver.attention;

import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SelfAttentionLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.LastTimeStep;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * The importance network: multi-head self-attention over each shard's last {@link ImportanceFeatures#WINDOW}
 * intervals (its own numbers, the world's mean and the change since the interval before: {@link
 * ImportanceFeatures}), an LSTM over the attended sequence read at its last step, and a small dense head that predicts
 * how the shard's attention per second changes over the next interval, in units of {@link #CHANGE_UNIT}. The
 * prediction is the last value plus that change (never below 0), so the network learns what "like the last interval"
 * misses (crowds forming, thinning out) rather than the level itself, and its training loss is the error it is
 * judged by. Shards are the minibatch: one forward pass scores them all. Not thread-safe (ND4J networks are not):
 * one actor owns it.
 *
 * <p>Measured against alternatives on held-out synthetic recordings (AttentionNetworkTest): attention pooled by
 * average instead of the LSTM did worse than the trend heuristic; DL4J 1.0.0-M2.1 cannot wrap the attention layer
 * in {@code LastTimeStep} ("Unable to get RNNFormat").
 */
public final class AttentionNetwork implements ImportanceModel {

    static final int HIDDEN = 16;
    static final int HEADS = 2;
    /** The network's output is the change over the next interval in these units of attention per second. */
    static final double CHANGE_UNIT = 100;

    private final MultiLayerNetwork net;

    public AttentionNetwork(MultiLayerNetwork net) {
        this.net = net;
    }

    /** A new, untrained network. */
    public static AttentionNetwork untrained(long seed) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(seed)
                .updater(new Adam(3e-3))
                .weightInit(WeightInit.XAVIER)
                .list()
                .layer(new SelfAttentionLayer.Builder()
                        .nIn(ImportanceFeatures.INPUTS)
                        .nOut(HIDDEN)
                        .nHeads(HEADS)
                        .projectInput(true)
                        .build())
                .layer(new LastTimeStep(new LSTM.Builder()
                        .nOut(HIDDEN)
                        .activation(Activation.TANH)
                        .build()))
                .layer(new DenseLayer.Builder()
                        .nOut(HIDDEN)
                        .activation(Activation.RELU)
                        .build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE)
                        .nOut(1)
                        .activation(Activation.IDENTITY)
                        .build())
                .setInputType(InputType.recurrent(ImportanceFeatures.INPUTS, ImportanceFeatures.WINDOW))
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return new AttentionNetwork(net);
    }

    /** A network saved by {@link #save}. */
    public static AttentionNetwork load(File file) throws IOException {
        return new AttentionNetwork(ModelSerializer.restoreMultiLayerNetwork(file, false));
    }

    /** Saves the network (its configuration and weights; not the updater: it is for predicting). */
    public void save(File file) throws IOException {
        ModelSerializer.writeModel(net, file, false);
    }

    @Override
    public String name() {
        return "attention-network";
    }

    @Override
    public Map<String, Double> predict(TelemetryHistory history) {
        List<ImportanceFeatures.Interval> intervals = ImportanceFeatures.intervals(history);
        Map<String, Double> predicted = new TreeMap<>();
        if (intervals.isEmpty()) {
            return predicted;
        }
        List<String> shards = new ArrayList<>();
        List<double[][]> windows = new ArrayList<>();
        for (String shard : history.shards()) {
            // A shard silent in the newest interval is scored from its own newest interval.
            int last = lastIntervalOf(intervals, shard);
            shards.add(shard);
            windows.add(ImportanceFeatures.window(intervals, shard, last));
        }
        double[] out = predict(windows);
        for (int i = 0; i < shards.size(); i++) {
            predicted.put(shards.get(i), out[i]);
        }
        return predicted;
    }

    private static int lastIntervalOf(List<ImportanceFeatures.Interval> intervals, String shard) {
        for (int i = intervals.size() - 1; i >= 0; i--) {
            if (intervals.get(i).shards().containsKey(shard)) {
                return i;
            }
        }
        throw new IllegalArgumentException("no interval of " + shard);
    }

    /** Predicted attention per second (unscaled, at least 0) for each window, [INPUTS][WINDOW] each. */
    public double[] predict(List<double[][]> windows) {
        if (windows.isEmpty()) {
            return new double[0];
        }
        INDArray out = net.output(input(windows));
        double[] predicted = new double[windows.size()];
        for (int i = 0; i < predicted.length; i++) {
            predicted[i] = Math.max(0, last(windows.get(i)) + CHANGE_UNIT * out.getDouble(i, 0));
        }
        return predicted;
    }

    /** Trains one pass over {@code examples} in minibatches of {@code batch}; the mean minibatch loss of the pass. */
    public double fit(List<Example> examples, int batch) {
        double loss = 0;
        int batches = 0;
        for (int from = 0; from < examples.size(); from += batch) {
            net.fit(dataSet(examples.subList(from, Math.min(examples.size(), from + batch))));
            loss += net.score(); // computed by the fit itself: no second forward pass
            batches++;
        }
        return batches == 0 ? 0 : loss / batches;
    }

    /** The mean squared error (in the scaled units the network trains in) over {@code examples}. */
    public double loss(List<Example> examples) {
        return examples.isEmpty() ? 0 : net.score(dataSet(examples));
    }

    /** One training example: a window of a shard and the attention per second of its next interval. */
    public record Example(double[][] window, double next) {}

    /** The examples of a recording: every shard, every interval with a next one. */
    public static List<Example> examples(List<ImportanceFeatures.Interval> recording) {
        List<Example> examples = new ArrayList<>();
        for (int t = 0; t + 1 < recording.size(); t++) {
            for (Map.Entry<String, ShardSample> next :
                    recording.get(t + 1).shards().entrySet()) {
                double[][] window = ImportanceFeatures.window(recording, next.getKey(), t);
                if (window != null) {
                    examples.add(new Example(window, next.getValue().attentionPerSecond()));
                }
            }
        }
        return examples;
    }

    private static DataSet dataSet(List<Example> examples) {
        List<double[][]> windows = examples.stream().map(Example::window).toList();
        INDArray labels = Nd4j.create(examples.size(), 1);
        for (int i = 0; i < examples.size(); i++) {
            Example e = examples.get(i);
            labels.putScalar(i, 0, (e.next() - last(e.window())) / CHANGE_UNIT);
        }
        return new DataSet(input(windows), labels);
    }

    /** The window's newest own attention per second. */
    private static double last(double[][] window) {
        return ImportanceFeatures.unscale(window[ImportanceFeatures.ATTENTION][ImportanceFeatures.WINDOW - 1]);
    }

    /** [minibatch][INPUTS][WINDOW], the recurrent layout DL4J's attention layer reads. */
    private static INDArray input(List<double[][]> windows) {
        INDArray x = Nd4j.create(windows.size(), ImportanceFeatures.INPUTS, ImportanceFeatures.WINDOW);
        for (int i = 0; i < windows.size(); i++) {
            double[][] w = windows.get(i);
            for (int f = 0; f < ImportanceFeatures.INPUTS; f++) {
                for (int t = 0; t < ImportanceFeatures.WINDOW; t++) {
                    x.putScalar(new int[] {i, f, t}, w[f][t]);
                }
            }
        }
        return x;
    }
}
